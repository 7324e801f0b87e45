import Foundation

/// Builds the `tokenizer.ggml.*` metadata from a Hugging Face tokenizer.json, following
/// convert_hf_to_gguf where it applies (see Formats/gguf.md, "Tokenizer"):
/// - BPE with `byte_fallback` and a `Sequence` decoder (SentencePiece-style) → model "llama",
///   scores −1000 for every token, BYTE type for `<0xHH>` (gguf-py `LlamaHfVocab`);
/// - other BPE (byte-level) → model "gpt2" with merges (gguf-py `SpecialVocab`);
/// - WordLevel / WordPiece → model "bert" (llama.cpp's WPM tokenizer): convert_hf_to_gguf has
///   no WordLevel path, and WPM's whole-word longest match reproduces a whitespace WordLevel
///   tokenizer; normal tokens get the "▁" word prefix as convert's BertModel writes them.
/// `tokenizer.ggml.pre`: "default" for SentencePiece-style and WordLevel tokenizers; for
/// byte-level BPE, convert's check-string hash looked up in its table (LlamaGGUFPreTokenizer).
/// Special ids, add_* flags and the chat template follow gguf-py SpecialVocab
/// (LlamaGGUFSpecialVocab) for llama and gpt2 models.
public enum LlamaGGUFTokenizer {
    public enum Model: String, Sendable { case llama, gpt2, bert }

    /// gguf-py `TokenType`.
    public enum TokenType: Int32, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    static let wordPrefix = "\u{2581}"

    public static func metadata(tokenizerJSON: Data, config: LlamaGGUFConfig, path: String = "tokenizer.json",
                                companions: LlamaGGUFCompanions = LlamaGGUFCompanions(), preTokenizer: String? = nil) throws -> [GGUFKeyValue] {
        func bad(_ reason: String) -> FormatError { .invalidContent(path: path, rule: reason) }
        guard let root = (try? JSONSerialization.jsonObject(with: tokenizerJSON)) as? [String: Any],
              let model = root["model"] as? [String: Any], let type = model["type"] as? String else {
            throw bad("not a tokenizer.json (no model.type)")
        }
        let kind: Model
        switch type {
        case "WordLevel", "WordPiece": kind = .bert
        case "BPE":
            let byteFallback = model["byte_fallback"] as? Bool
            let decoder = (root["decoder"] as? [String: Any])?["type"] as? String
            let isLlama3 = (model["ignore_merges"] as? Bool ?? false) && !(byteFallback ?? true)
            kind = !isLlama3 && byteFallback == true && decoder == "Sequence" ? .llama : .gpt2
        default: throw FormatError.unsupportedInput(path: path, reason: "tokenizer model type '\(type)' has no GGUF mapping")
        }
        guard let vocab = model["vocab"] as? [String: Any] else { throw bad("model.vocab is not an object") }

        let n = config.vocabSize
        var tokens = [String?](repeating: nil, count: n)
        for (token, rawID) in vocab {
            guard let id = rawID as? Int, id >= 0, id < n else { throw bad("token '\(token)' has id \(rawID), outside vocab_size \(n)") }
            guard tokens[id] == nil else { throw bad("id \(id) is used by two tokens") }
            tokens[id] = token
        }
        var added: [Int: Bool] = [:]          // id → special
        for entry in root["added_tokens"] as? [[String: Any]] ?? [] {
            guard let id = entry["id"] as? Int, let content = entry["content"] as? String, id >= 0, id < n else {
                throw bad("added token \(entry["content"] ?? "?") has an id outside vocab_size \(n)")
            }
            tokens[id] = content
            added[id] = entry["special"] as? Bool ?? false
        }

        let specialNames = kind == .llama ? try allSpecialTokens(companions.tokenizerConfigJSON) : []
        var list: [GGUFValue] = [], types: [GGUFValue] = []
        list.reserveCapacity(n); types.reserveCapacity(n)
        for id in 0..<n {
            guard var token = tokens[id] else {
                list.append(.string("[PAD\(id)]")); types.append(.int32(TokenType.unused.rawValue)); continue
            }
            let t = tokenType(token, id: id, special: added[id], kind: kind, baseCount: vocab.count, specialNames: specialNames)
            if t == .userDefined, kind != .llama { token = token.replacingOccurrences(of: wordPrefix, with: " ") }
            if t == .normal, kind == .bert { token = phantom(token, wordPiece: type == "WordPiece") }
            list.append(.string(token)); types.append(.int32(t.rawValue))
        }

        var kv: [GGUFKeyValue] = [
            GGUFKeyValue("tokenizer.ggml.model", .string(kind.rawValue)),
            GGUFKeyValue("tokenizer.ggml.pre", .string(kind == .gpt2 ? try preTokenizer ?? LlamaGGUFPreTokenizer.name(tokenizerJSON: tokenizerJSON, path: path) : "default")),
            GGUFKeyValue("tokenizer.ggml.tokens", .array(.string, list)),
        ]
        if kind == .llama {
            kv.append(GGUFKeyValue("tokenizer.ggml.scores", .array(.float32, [GGUFValue](repeating: .float32(-1000), count: n))))
        }
        kv.append(GGUFKeyValue("tokenizer.ggml.token_type", .array(.int32, types)))
        if kind == .gpt2 {
            kv.append(GGUFKeyValue("tokenizer.ggml.merges", .array(.string, try merges(model["merges"], path: path))))
        }

        if kind != .bert {
            let special = try LlamaGGUFSpecialVocab(tokenizer: root, companions: companions, config: config, nVocab: n, path: path)
            return kv + special.metadata
        }
        let unk = (model["unk_token"] as? String).flatMap { u in tokens.firstIndex { $0 == u } }
        var ids: [(String, Int)] = []
        for (key, id) in [("bos", config.bosTokenId), ("eos", config.eosTokenId), ("unknown", unk), ("padding", config.padTokenId)] {
            if let id, id >= 0, id < n { ids.append((key, id)) }
        }
        if kind == .bert {
            // llama.cpp's BERT defaults (cls 101, sep 102, mask 103) may fall outside a small
            // vocabulary; point them at the tokens a WordLevel model has instead.
            let named = Dictionary(ids, uniquingKeysWith: { a, _ in a })
            for (key, from) in [("seperator", "eos"), ("cls", "bos"), ("mask", "unknown")] {
                if let id = named[from] { ids.append((key, id)) }
            }
        }
        for (key, id) in ids { kv.append(GGUFKeyValue("tokenizer.ggml.\(key)_token_id", .uint32(UInt32(id)))) }
        let (addBOS, addEOS) = addedSpecials(root["post_processor"])
        if let addBOS { kv.append(GGUFKeyValue("tokenizer.ggml.add_bos_token", .bool(addBOS))) }
        if let addEOS { kv.append(GGUFKeyValue("tokenizer.ggml.add_eos_token", .bool(addEOS))) }
        if kind == .bert { kv.append(GGUFKeyValue("tokenizer.ggml.add_sep_token", .bool(false))) }
        return kv
    }

    static func tokenType(_ token: String, id: Int, special: Bool?, kind: Model, baseCount: Int,
                          specialNames: Set<String> = []) -> TokenType {
        if kind == .llama {
            // gguf-py LlamaHfVocab: CONTROL only for transformers' `all_special_tokens` (the
            // tokenizer_config roles and additional specials), not tokenizer.json's `special`
            // flag; other added tokens past the base vocabulary are USER_DEFINED.
            if special != nil, id >= baseCount { return specialNames.contains(token) ? .control : .userDefined }
            if isByteToken(token) { return .byte }
            return specialNames.contains(token) ? .control : .normal
        }
        guard let special else { return .normal }
        return special || looksSpecial(token) ? .control : .userDefined
    }

    /// convert_hf_to_gguf `does_token_look_special`.
    static func looksSpecial(_ t: String) -> Bool {
        ["<pad>", "<mask>", "<2mass>", "[@BOS@]"].contains(t)
            || (t.hasPrefix("<|") && t.hasSuffix("|>")) || (t.hasPrefix("<｜") && t.hasSuffix("｜>"))
            || (t.hasPrefix("<unused") && t.hasSuffix(">"))
    }

    static func isByteToken(_ t: String) -> Bool {
        let u = Array(t.utf8)
        return u.count == 6 && t.hasPrefix("<0x") && t.hasSuffix(">") && u[3...4].allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }
    }

    /// convert's BertModel phantom space: `[X]` kept, `##x` → `x`, otherwise "▁" + token.
    static func phantom(_ t: String, wordPiece: Bool) -> String {
        if t.hasPrefix("[") && t.hasSuffix("]") { return t }
        if wordPiece && t.hasPrefix("##") { return String(t.dropFirst(2)) }
        return wordPrefix + t
    }

    /// Merges as "a b" strings; pair-form merges have their spaces written as U+0120 ("Ġ").
    static func merges(_ raw: Any?, path: String) throws -> [GGUFValue] {
        guard let list = raw as? [Any], !list.isEmpty else {
            throw FormatError.invalidContent(path: path, rule: "byte-level BPE without model.merges")
        }
        return try list.map { item in
            if let s = item as? String { return .string(s) }
            guard let pair = item as? [String], pair.count == 2 else {
                throw FormatError.invalidContent(path: path, rule: "unknown merges entry \(item)")
            }
            return .string(pair.map { $0.replacingOccurrences(of: " ", with: "\u{0120}") }.joined(separator: " "))
        }
    }

    /// gguf-py SpecialVocab's reading of a TemplateProcessing `single` template.
    static func addedSpecials(_ raw: Any?) -> (bos: Bool?, eos: Bool?) {
        guard let pp = raw as? [String: Any] else { return (nil, nil) }
        for p in (pp["processors"] as? [[String: Any]]) ?? [pp] where p["type"] as? String == "TemplateProcessing" {
            guard let single = p["single"] as? [[String: Any]], single.count > 1 else { continue }
            let first = single.first?["SpecialToken"] != nil, last = single.last?["SpecialToken"] != nil
            return (first ? true : nil, last ? true : nil)
        }
        return (nil, nil)
    }

    /// transformers' `all_special_tokens` for a LlamaTokenizerFast: the tokenizer_config.json
    /// roles (bos, eos, unk, sep, pad, cls, mask; without the file, the class defaults <s>,
    /// </s>, <unk>) and `additional_special_tokens` / `extra_special_tokens`.
    static func allSpecialTokens(_ tokenizerConfig: Data?) throws -> Set<String> {
        guard let tc = try LlamaGGUFCompanions.object(tokenizerConfig, path: "tokenizer_config.json") else { return ["<s>", "</s>", "<unk>"] }
        func content(_ v: OrderedJSON?) -> String? { v?.stringValue ?? v?["content"]?.stringValue }
        var names = Set(LlamaGGUFSpecialVocab.defaultTypes.compactMap { content(tc["\($0)_token"]) })
        for key in ["additional_special_tokens", "extra_special_tokens"] {
            for e in tc[key]?.elements ?? tc[key]?.members?.map(\.value) ?? [] { if let c = content(e) { names.insert(c) } }
        }
        return names
    }
}
