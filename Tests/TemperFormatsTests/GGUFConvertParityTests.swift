import Foundation
import Testing
@testable import TemperText
@testable import TemperFormats

/// Temper's HF → GGUF metadata and tensor plan against llama.cpp's own convert_hf_to_gguf.py
/// run on the same tiny folders (Fixtures/gguf_convert/make_convert_expectations.py wrote
/// each folder's expected.json): every KV pair key by key (type and value; arrays by element
/// type, count and the sha256 of their JSON values), in order, and every tensor's name, shape,
/// type and place (rope_freqs by its data too). Whole files: GGUFConvertFileTests.
@Suite struct GGUFConvertParityTests {
    static let folders = ["Tiny-Llama3-8B-Instruct", "tiny-mistral-v0.2", "Qwen2-0.5B-tiny", "llama-bpe-tiny", "tiny-card-llama"]
    static let root = GGUFFixtures.root.appendingPathComponent("Fixtures/gguf_convert")

    /// Keys convert writes that Temper does not derive (must be absent from Temper's output, so
    /// the list cannot silently go stale). Empty: every key of the four folders is derived.
    static let notDerived: Set<String> = []

    struct Expected {
        var kv: [[String: Any]]; var tensors: [[String: Any]]
        /// sha256 and size of convert's whole f32 file.
        var file: (sha256: String, size: Int)?
    }

    static func expected(_ folder: String) throws -> Expected {
        let data = try Data(contentsOf: root.appendingPathComponent(folder).appendingPathComponent("expected.json"))
        let o = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let file = (o["file"] as? [String: Any]).flatMap { f in (f["sha256"] as? String).map { ($0, f["size"] as? Int ?? -1) } }
        return Expected(kv: try #require(o["kv"] as? [[String: Any]]), tensors: try #require(o["tensors"] as? [[String: Any]]), file: file)
    }

    static func export(_ folder: String) throws -> (config: LlamaGGUFConfig, kv: [GGUFKeyValue]) {
        let dir = root.appendingPathComponent(folder)
        let config = try LlamaGGUFConfig.decode(configJSON: try Data(contentsOf: dir.appendingPathComponent("config.json")), name: folder)
        // The size label counts the planned tensors, as convert counts the ones it writes.
        let planned = try LlamaGGUFExport.plan(sources(folder), config: config, outputType: .f32)
        let kv = try LlamaGGUFExport.metadata(config: config, tokenizerJSON: try Data(contentsOf: dir.appendingPathComponent("tokenizer.json")),
                                              outputType: .f32, companions: try LlamaGGUFCompanions.read(folder: dir),
                                              totalParams: LlamaGGUFExport.parameterCount(planned))
        return (config, kv)
    }

    static func typeName(_ t: GGUFValueType) -> String { "\(t)" }

    /// Python's `json.dumps(values, ensure_ascii=False)` of an array's elements.
    static func pythonJSON(_ values: [GGUFValue]) -> String {
        func str(_ s: String) -> String { TemplateJSON.quote(s, ensureASCII: false) }
        let items = values.map { v -> String in
            switch v {
            case let .string(s): return str(s)
            case let .float32(f): let d = "\(Double(f))"; return d.contains(".") || d.contains("e") ? d : d + ".0"
            case let .bool(b): return b ? "true" : "false"
            default: return v.integerValue.map { "\($0)" } ?? "?"
            }
        }
        return "[" + items.joined(separator: ", ") + "]"
    }

    /// Whether Temper's value equals convert's, or why not.
    static func mismatch(_ e: [String: Any], _ v: GGUFValue) -> String? {
        guard let type = e["type"] as? String, type == typeName(v.type) else { return "type \(typeName(v.type)), expected \(e["type"] ?? "?")" }
        switch v {
        case let .string(s): return e["value"] as? String == s ? nil : "value \(s.debugDescription), expected \(e["value"] ?? "?")"
        case let .float32(f):
            guard let d = (e["value"] as? NSNumber)?.doubleValue, Float(d) == f else { return "value \(f), expected \(e["value"] ?? "?")" }
            return nil
        case let .bool(b): return (e["value"] as? NSNumber)?.boolValue == b ? nil : "value \(b), expected \(e["value"] ?? "?")"
        case let .array(element, values):
            guard e["element"] as? String == typeName(element) else { return "element \(typeName(element)), expected \(e["element"] ?? "?")" }
            let summary = e["value"] as? [String: Any]
            guard (summary?["count"] as? Int) == values.count else { return "count \(values.count), expected \(summary?["count"] ?? "?")" }
            let hash = LlamaGGUFPreTokenizer.sha256Hex(Array(pythonJSON(values).utf8))
            return summary?["sha256"] as? String == hash ? nil : "array contents differ (sha256 \(hash))"
        default:
            guard let i = v.integerValue, (e["value"] as? NSNumber)?.int64Value == i else { return "value \(v), expected \(e["value"] ?? "?")" }
            return nil
        }
    }

    @Test(arguments: folders) func metadataMatchesConvertHFToGGUFKeyByKey(folder: String) throws {
        let expected = try Self.expected(folder)
        let (_, kv) = try Self.export(folder)
        let ours = Dictionary(kv.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let expectedKeys = expected.kv.compactMap { $0["key"] as? String }
        for e in expected.kv {
            let key = try #require(e["key"] as? String)
            if Self.notDerived.contains(key) {
                #expect(ours[key] == nil, "\(folder): \(key) is now written; check it against convert and drop it from notDerived")
                continue
            }
            guard let v = ours[key] else { Issue.record("\(folder): \(key) missing (convert writes \(e["value"] ?? "?"))"); continue }
            if let why = Self.mismatch(e, v) { Issue.record("\(folder): \(key): \(why)") }
        }
        let extra = kv.map(\.key).filter { !expectedKeys.contains($0) }
        #expect(extra.isEmpty, "\(folder): keys convert does not write: \(extra)")
        #expect(kv.map(\.key) == expectedKeys.filter { !Self.notDerived.contains($0) }, "\(folder): key order")
    }

    /// The checkpoint's tensors as weights.json lists them, in convert's order (parts, then names).
    static func sources(_ folder: String) throws -> [LlamaGGUFTensorSource] {
        let plan = LlamaGGUFExport.convertOrder(try GGUFConvertFileTests.plan(folder)) { (file: $0.part, name: $0.name) }
        return plan.map { p in LlamaGGUFTensorSource(hfName: p.name, shape: p.shape) { [Float](repeating: 0, count: p.shape.reduce(1, *)) } }
    }

    @Test(arguments: folders) func tensorPlanMatchesConvertHFToGGUF(folder: String) throws {
        let expected = try Self.expected(folder)
        let (config, _) = try Self.export(folder)
        let planned = try LlamaGGUFExport.plan(Self.sources(folder), config: config, outputType: .f32)
        let ours = planned.map { "\($0.spec.name) \($0.spec.shape) \($0.spec.type.name.lowercased())" }
        let theirs = expected.tensors.map { "\($0["name"] ?? "?") \(($0["shape"] as? [Int]) ?? []) \($0["type"] ?? "?")" }
        #expect(ours == theirs, "names, shapes, types and order")
        if let e = expected.tensors.first(where: { $0["name"] as? String == "rope_freqs.weight" }) {
            let freqs = try #require(config.ropeScaling.ropeFreqs(theta: config.ropeTheta, headDim: config.ropeDimensionCount))
            let bytes = freqs.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian) { Array($0) } }
            #expect(LlamaGGUFPreTokenizer.sha256Hex(bytes) == e["sha256"] as? String, "rope_freqs \(freqs)")
        }
    }

    @Test func preTokenizerTableHoldsConvertsEntries() throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("pretokenizer_table.json"))
        let o = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let table = try #require(o["table"] as? [[String: String]])
        #expect(table.count == LlamaGGUFPreTokenizer.table.count)
        for (row, entry) in zip(table, LlamaGGUFPreTokenizer.table) { #expect(row["chkhsh"] == entry.hash && row["pre"] == entry.pre) }
        #expect(o["chktxt"] as? String == LlamaGGUFPreTokenizer.checkText)
    }

    @Test func unknownPreTokenizerAndInexpressibleRopeAreTypedErrors() throws {
        let dir = Self.root.appendingPathComponent("Qwen2-0.5B-tiny")
        var tokenizer = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("tokenizer.json"))) as? [String: Any])
        // A different pre-tokenizer regex changes the check-string ids, so the hash is unknown.
        tokenizer["pre_tokenizer"] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
        let changed = try JSONSerialization.data(withJSONObject: tokenizer)
        let (config, _) = try Self.export("Qwen2-0.5B-tiny")
        #expect {
            try LlamaGGUFTokenizer.metadata(tokenizerJSON: changed, config: config)
        } throws: { error in
            guard case let .unknownPreTokenizer(_, hash)? = error as? FormatError else { return false }
            return hash.count == 64
        }
        let base = #"{"hidden_size": 64, "intermediate_size": 80, "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 128, "rms_norm_eps": 1e-05, "vocab_size": 64, "model_type": "llama", "rope_parameters": "#
        #expect {
            try LlamaGGUFConfig.decode(configJSON: Data((base + #"{"rope_type": "longrope", "rope_theta": 10000.0}}"#).utf8))
        } throws: { error in
            guard case let .unsupportedConfigField(_, field, value, _)? = error as? FormatError else { return false }
            return field == "rope_parameters.rope_type" && value == "longrope"
        }
        #expect {
            try LlamaGGUFConfig.decode(configJSON: Data((base + #"{"rope_type": "yarn", "factor": 4.0, "rope_theta": 10000.0}}"#).utf8))
        } throws: { error in
            guard case let .unsupportedConfigField(_, field, _, _)? = error as? FormatError else { return false }
            return field == "rope_parameters.original_max_position_embeddings"
        }
    }

    @Test func modelIDHeuristicsFollowGGUFPyMetadata() {
        #expect(ModelID.title("tiny-mistral-v0.2") == "Tiny Mistral v0.2")
        #expect(ModelID.title("Qwen2-0.5B-tiny") == "Qwen2 0.5B Tiny")
        #expect(ModelID.title("llama3x-8b") == "Llama3X 8b")
        // Values from gguf-py get_model_id_components on the same ids.
        let c = ModelID.components("Meta-Llama-3.1-8B-Instruct", totalParams: 8_030_261_248)
        #expect(c.basename == "Meta-Llama-3.1" && c.sizeLabel == "8B" && c.finetune == "Instruct" && c.version == nil)
        let bloom = ModelID.components("bigscience/bloom-7b1", totalParams: 0)
        #expect(bloom.organization == "bigscience" && bloom.basename == "bloom" && bloom.sizeLabel == "7.1B")
        #expect(ModelID.roundedCount(134_515_008) == "135M" && ModelID.roundedCount(73_456) == "73K" && ModelID.roundedCount(2_400_000) == "2.4M")
        let card = ModelCardFrontMatter.parse("---\nlicense: apache-2.0\nlanguage:\n- en\n- \"fr\"\ntags: [a, b]\n---\n# x\n")
        #expect(card["license"] == .scalar("apache-2.0") && card["language"] == .list(["en", "fr"]) && card["tags"] == .list(["a", "b"]))
        #expect(ModelCardFrontMatter.parse("# no front matter\n").isEmpty)
    }
}
