import Foundation

/// The files beside config.json that convert_hf_to_gguf reads for metadata:
/// tokenizer_config.json, generation_config.json, chat_template.jinja and config.json itself
/// (for `*_token_id`), plus the folder name that `general.name` is derived from.
public struct LlamaGGUFCompanions: Sendable {
    public var configJSON: Data?
    public var tokenizerConfigJSON: Data?
    public var generationConfigJSON: Data?
    public var chatTemplateJinja: String?
    public var folderName: String?
    /// README.md (the model card whose YAML front matter gguf-py's Metadata reads).
    public var readme: String?

    public init(configJSON: Data? = nil, tokenizerConfigJSON: Data? = nil, generationConfigJSON: Data? = nil,
                chatTemplateJinja: String? = nil, folderName: String? = nil, readme: String? = nil) {
        self.configJSON = configJSON; self.tokenizerConfigJSON = tokenizerConfigJSON
        self.generationConfigJSON = generationConfigJSON; self.chatTemplateJinja = chatTemplateJinja; self.folderName = folderName
        self.readme = readme
    }

    /// Reads the companions of a Hugging Face folder (absent files stay nil).
    public static func read(folder: URL) throws -> LlamaGGUFCompanions {
        func file(_ name: String) throws -> Data? {
            do { return try RegularFile.read(folder.appendingPathComponent(name), limit: 1 << 26) } catch {
                if case .notFound = error { return nil }
                throw error
            }
        }
        let jinja = try file("chat_template.jinja").map { String(decoding: $0, as: UTF8.self) }
        return LlamaGGUFCompanions(configJSON: try file("config.json"), tokenizerConfigJSON: try file("tokenizer_config.json"),
                                   generationConfigJSON: try file("generation_config.json"), chatTemplateJinja: jinja,
                                   folderName: folder.standardizedFileURL.lastPathComponent,
                                   readme: try file("README.md").map { String(decoding: $0, as: UTF8.self) })
    }

    /// A JSON object's members by key (the last of duplicates, as Python's json), or nil.
    static func object(_ data: Data?, path: String) throws -> [String: OrderedJSON]? {
        guard let data else { return nil }
        let json: OrderedJSON
        do { json = try OrderedJSON.parse([UInt8](data)) } catch {
            throw FormatError.invalidContent(path: path, rule: "not valid JSON: \(error.description)")
        }
        guard let members = json.members else { throw FormatError.invalidContent(path: path, rule: "not a JSON object") }
        return Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
    }
}

/// gguf-py `SpecialVocab` (llama.cpp gguf-py/gguf/vocab.py) for the special token ids, the
/// add_bos/add_eos/add_sep flags and the chat template, including the `eot`/`eom` fallback: a
/// TemplateProcessing whose last special token differs from tokenizer_config's eos makes that
/// token the eos and keeps the old eos as eot (then eom). Not ported: named template lists.
struct LlamaGGUFSpecialVocab {
    static let keys = ["bos": "bos", "eos": "eos", "unk": "unknown", "sep": "seperator", "pad": "padding", "cls": "cls", "mask": "mask",
                       "eot": "eot", "eom": "eom"]

    /// gguf-py's default `special_token_types`.
    static let defaultTypes = ["bos", "eos", "unk", "sep", "pad", "cls", "mask"]
    /// `special_token_types`, in order (`eot`, `eom` appended by the fallback).
    var types = defaultTypes

    var ids: [(String, Int)] = []
    var add: [(String, Bool)] = []
    var chatTemplate: String?

    init(tokenizer: [String: Any], companions c: LlamaGGUFCompanions, config: LlamaGGUFConfig, nVocab: Int, path: String) throws {
        var tc = try LlamaGGUFCompanions.object(c.tokenizerConfigJSON, path: "tokenizer_config.json")
        let added = tokenizer["added_tokens"] as? [[String: Any]] ?? []
        func str(_ k: String) -> String? { tc?[k]?.stringValue }
        var bos = str("bos_token"), cls = str("cls_token"), eos = str("eos_token"), sep = str("sep_token")
        if bos == nil, let cls, tc != nil { tc?["bos_token"] = .string(cls); bos = cls }
        if eos == nil, let sep, tc != nil { tc?["eos_token"] = .string(sep); eos = sep }
        func setAdd(_ t: String, _ v: Bool) { if let i = add.firstIndex(where: { $0.0 == t }) { add[i].1 = v } else { add.append((t, v)) } }
        if let pp = tokenizer["post_processor"] as? [String: Any] {
            for p in (pp["processors"] as? [[String: Any]]) ?? [pp] {
                switch p["type"] as? String {
                case "ByteLevel":
                    for t in ["bos", "eos"] where !add.contains(where: { $0.0 == t }) { add.append((t, false)) }
                case "RobertaProcessing":
                    setAdd("bos", true); setAdd("eos", true); setAdd("sep", true)
                case "TemplateProcessing":
                    func special(_ e: [String: Any]?) -> String? { (e?["SpecialToken"] as? [String: Any])?["id"] as? String }
                    let single = p["single"] as? [[String: Any]] ?? [], pair = p["pair"] as? [[String: Any]] ?? []
                    var first: String?, last: String?
                    if single.count > 1 {
                        first = special(single.first).flatMap { $0.isEmpty ? nil : $0 }
                        if let f = first {
                            if tc == nil { bos = f } else if f != bos && f != cls {
                                if bos == nil { tc?["bos_token"] = .string(f); bos = f }
                                if cls == nil { tc?["cls_token"] = .string(f); cls = f }
                            }
                            setAdd("bos", f == bos || f == cls)
                        }
                        last = special(single.last).flatMap { $0.isEmpty ? nil : $0 }
                        if let l = last {
                            if tc == nil { eos = l } else if l != eos {
                                let old: OrderedJSON = eos.map { .string($0) } ?? .null
                                if !types.contains("eot") { types.append("eot"); tc?["eot_token"] = old } else if !types.contains("eom") { types.append("eom"); tc?["eom_token"] = old }
                                tc?["eos_token"] = .string(l); eos = l
                            }
                            setAdd("eos", l == eos)
                        }
                    }
                    var middle = pair
                    if let f = first, special(middle.first) == f { middle.removeFirst() }
                    if let l = last, special(middle.last) == l { middle.removeLast() }
                    let a = (middle.first?["Sequence"] as? [String: Any])?["id"] as? String
                    let b = (middle.last?["Sequence"] as? [String: Any])?["id"] as? String
                    if !middle.isEmpty, a == "A", b == "B", middle.count > 2 {
                        let inner = Array(middle[1..<(middle.count - 1)])
                        var addSep = false
                        if let entry = special(inner.first), entry == sep || entry == eos, last == nil { addSep = true }
                        setAdd("sep", addSep)
                        if addSep, sep == nil, tc != nil, let eos { tc?["sep_token"] = .string(eos) }
                    }
                default: break
                }
            }
        }
        func setID(_ t: String, _ id: Int?) throws {
            guard let id else { return }
            guard id >= 0 else { throw FormatError.invalidContent(path: path, rule: "\(t) token id \(id) is negative") }
            if id < nVocab, !ids.contains(where: { $0.0 == t }) { ids.append((t, id)) }
        }
        if let tc {
            switch tc["chat_template"] {
            case nil, .null?: chatTemplate = c.chatTemplateJinja
            case let .string(s)?: chatTemplate = s
            default:
                throw FormatError.unsupportedConfigField(path: "tokenizer_config.json", field: "chat_template", value: "a list",
                                                         reason: "named chat template lists are not written by the GGUF export yet")
            }
            for t in types {
                if case let .bool(v)? = tc["add_\(t)_token"], !add.contains(where: { $0.0 == t }) { add.append((t, v)) }
                guard let content = tc["\(t)_token"]?.stringValue ?? tc["\(t)_token"]?["content"]?.stringValue else { continue }
                try setID(t, added.first { ($0["content"] as? String) == content }?["id"] as? Int)
            }
        }
        if let cfg = try LlamaGGUFCompanions.object(c.configJSON, path: "config.json") {
            func int(_ v: OrderedJSON?) -> Int? { if case let .number(text)? = v { return Int(text) } else { return nil } }
            for t in types {
                let v = cfg["\(t)_token_id"].flatMap { $0 == .null ? nil : $0 } ?? cfg["text_config"]?["\(t)_token_id"]
                try setID(t, int(v))
            }
        } else {
            try setID("bos", config.bosTokenId); try setID("eos", config.eosTokenId); try setID("pad", config.padTokenId)
        }
    }

    /// The `tokenizer.ggml.*_token_id`, `add_*_token` and `tokenizer.chat_template` keys in
    /// SpecialVocab.add_to_gguf's order.
    var metadata: [GGUFKeyValue] {
        var kv = ids.compactMap { t, id in Self.keys[t].map { GGUFKeyValue("tokenizer.ggml.\($0)_token_id", .uint32(UInt32(id))) } }
        for (t, v) in add where ["bos", "eos", "sep"].contains(t) { kv.append(GGUFKeyValue("tokenizer.ggml.add_\(t)_token", .bool(v))) }
        if let chatTemplate { kv.append(GGUFKeyValue("tokenizer.chat_template", .string(chatTemplate))) }
        return kv
    }
}
