import Foundation

extension Tokenizer {
    /// Reads a `tokenizer.json`, or a folder holding one. A `tokenizer_config.json` beside
    /// it, when present, names the bos/eos/pad/unk tokens.
    public static func load(_ url: URL) throws -> Tokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw TextError.io(path: url.path, reason: "no such file or folder")
        }
        let file = isDirectory.boolValue ? url.appendingPathComponent("tokenizer.json") : url
        let data = try TextFile.read(file, limit: 1 << 30)
        var tokenizer = try Tokenizer(jsonData: data, source: file.path)
        let config = file.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
        if FileManager.default.fileExists(atPath: config.path) {
            try tokenizer.applyConfig(at: config)
        }
        return tokenizer
    }

    /// Parses tokenizer.json content; `source` names it in errors.
    public init(jsonData: Data, source: String = "tokenizer.json") throws {
        let root = try ComponentReader(path: source, component: "tokenizer",
                                       json: try JSONParser.parse(jsonData, path: source))
        if let version = try root.optionalString("version"), version != "1.0" {
            throw root.unsupported("version", "unknown tokenizer version '\(version)'")
        }
        func component(_ name: String) throws -> ComponentReader? {
            guard let json = root.value(name) else { return nil }
            return try ComponentReader(path: source, component: name, json: json)
        }
        guard let modelReader = try component("model") else {
            throw TextError.missingField(path: source, component: "tokenizer", field: "model")
        }
        let model = try Model.parse(modelReader)
        var addedTokens: [AddedToken] = []
        if root.value("added_tokens") != nil {
            for (i, item) in try root.array("added_tokens").enumerated() {
                let r = try root.child(item, name: "added_tokens[\(i)]")
                let special = try r.bool("special", default: false)
                addedTokens.append(AddedToken(
                    content: try r.string("content"), singleWord: try r.bool("single_word", default: false),
                    lstrip: try r.bool("lstrip", default: false), rstrip: try r.bool("rstrip", default: false),
                    normalized: try r.bool("normalized", default: !special), special: special))
            }
        }
        self.init(source: source,
                  normalizer: try component("normalizer").map(Normalizer.parse),
                  preTokenizer: try component("pre_tokenizer").map(PreTokenizer.parse),
                  model: model,
                  postProcessor: try component("post_processor").map(PostProcessor.parse),
                  decoder: try component("decoder").map(Decoder.parse),
                  addedTokens: addedTokens,
                  truncation: try component("truncation").map(Truncation.parse),
                  padding: try component("padding").map(Padding.parse))
    }

    /// Takes `bos_token`, `eos_token`, `pad_token`, `unk_token` from a transformers
    /// `tokenizer_config.json` (a string or `{"content": …}`); a named token must exist.
    mutating func applyConfig(at url: URL) throws {
        let data = try TextFile.read(url, limit: 1 << 26)
        let r = try ComponentReader(path: url.path, component: "tokenizer_config",
                                    json: try JSONParser.parse(data, path: url.path))
        func role(_ field: String, _ current: Int?) throws -> Int? {
            // An explicit null (Qwen2's "bos_token": null) means the tokenizer has none.
            if r.json[field]?.isNull == true { return nil }
            guard let value = r.value(field) else { return current }
            let name: String
            switch value {
            case let .string(s): name = s
            case .object:
                guard case let .string(s)? = value["content"] else { throw r.invalid(field, "expected a string or {\"content\": …}") }
                name = s
            default: throw r.invalid(field, "expected a string or {\"content\": …}")
            }
            guard let id = tokenToId(name) else { throw TextError.unknownToken(path: url.path, component: field, token: name) }
            return id
        }
        specialTokens = SpecialTokenIds(bos: try role("bos_token", specialTokens.bos),
                                        eos: try role("eos_token", specialTokens.eos),
                                        pad: try role("pad_token", specialTokens.pad),
                                        unk: try role("unk_token", specialTokens.unk))
    }
}
