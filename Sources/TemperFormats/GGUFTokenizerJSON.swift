import Foundation

/// Rebuilds a Hugging Face tokenizer.json and tokenizer_config.json from a GGUF's
/// `tokenizer.ggml.*` arrays. Supported: `tokenizer.ggml.model = gpt2` (byte-level BPE) with
/// the pre-tokenizers below, each the Hugging Face form of llama.cpp's regexes for that
/// `tokenizer.ggml.pre` value (llama-vocab.cpp), and `llama` (SentencePiece BPE with byte
/// fallback, merges recovered from the scores as transformers does; GGUFSentencePieceJSON).
/// Anything else is a typed refusal naming the field, never a tokenizer that splits text
/// differently.
public struct GGUFTokenizerJSON {
    /// llama.cpp's GPT-2 regex is exactly ByteLevel's built-in one.
    static let byteLevel: OrderedJSON = .object([
        .init(key: "type", value: .string("ByteLevel")), .init(key: "add_prefix_space", value: .bool(false)),
        .init(key: "trim_offsets", value: .bool(true)), .init(key: "use_regex", value: .bool(true)),
    ])
    static let byteLevelNoRegex: OrderedJSON = .object([
        .init(key: "type", value: .string("ByteLevel")), .init(key: "add_prefix_space", value: .bool(false)),
        .init(key: "trim_offsets", value: .bool(true)), .init(key: "use_regex", value: .bool(false)),
    ])

    static func split(_ regex: String) -> OrderedJSON {
        .object([.init(key: "type", value: .string("Split")),
                 .init(key: "pattern", value: .object([.init(key: "Regex", value: .string(regex))])),
                 .init(key: "behavior", value: .string("Isolated")), .init(key: "invert", value: .bool(false))])
    }

    static func sequence(_ items: [OrderedJSON]) -> OrderedJSON {
        .object([.init(key: "type", value: .string("Sequence")), .init(key: "pretokenizers", value: .array(items))])
    }

    /// `tokenizer.ggml.pre` → pre_tokenizer.
    public static func preTokenizer(_ pre: String) -> OrderedJSON? {
        switch pre {
        case "gpt-2", "gpt2":
            return byteLevel
        case "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva":
            // "\p{N}" isolated, then the GPT-2 regex.
            return sequence([.object([.init(key: "type", value: .string("Digits")), .init(key: "individual_digits", value: .bool(true))]), byteLevel])
        case "llama-bpe", "llama3", "llama-v3":
            return sequence([split(#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#), byteLevelNoRegex])
        case "qwen2", "deepseek-r1-qwen":
            return sequence([split(#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#), byteLevelNoRegex])
        default:
            return nil
        }
    }

    public let tokens: [String]
    public let types: [Int32]
    public let merges: [String]
    /// SentencePiece scores (`tokenizer.ggml.scores`), for `llama` vocabularies only.
    public let scores: [Float]
    public let isSentencePiece: Bool
    public let pre: String
    public let bosId: Int?, eosId: Int?, unkId: Int?, padId: Int?
    public let addBOS: Bool, addEOS: Bool
    /// `tokenizer.ggml.add_space_prefix` (SentencePiece: "▁" before the text).
    public let addSpacePrefix: Bool
    public let chatTemplate: String?
    public let maxLength: Int?

    public init(_ file: GGUFFile, maxLength: Int? = nil) throws {
        let path = file.path
        func bad(_ key: String, _ reason: String) -> FormatError { .invalidMetadata(path: path, reason: "\(key): \(reason)") }
        let model = file.value(forKey: "tokenizer.ggml.model")?.stringValue
        guard model == "gpt2" || model == "llama" else {
            throw FormatError.unsupportedInput(path: path, reason: "tokenizer.ggml.model '\(model ?? "missing")': only byte-level BPE ('gpt2') and SentencePiece ('llama') can be rebuilt as tokenizer.json")
        }
        isSentencePiece = model == "llama"
        let preName = file.value(forKey: "tokenizer.ggml.pre")?.stringValue ?? "default"
        guard isSentencePiece || Self.preTokenizer(preName) != nil else {
            throw FormatError.unsupportedInput(path: path, reason: "tokenizer.ggml.pre '\(preName)' has no known Hugging Face pre-tokenizer")
        }
        pre = preName
        func strings(_ key: String) throws -> [String] {
            guard let items = file.value(forKey: key)?.arrayValue else { throw bad(key, "missing or not an array") }
            return try items.map { guard let s = $0.stringValue else { throw bad(key, "element \($0) is not a string") }; return s }
        }
        let list = try strings("tokenizer.ggml.tokens")
        tokens = list
        merges = isSentencePiece ? [] : try strings("tokenizer.ggml.merges")
        if isSentencePiece {
            guard let items = file.value(forKey: "tokenizer.ggml.scores")?.arrayValue, items.count == list.count else {
                throw bad("tokenizer.ggml.scores", "missing or not one score per token")
            }
            scores = try items.map {
                guard case let .float32(v) = $0, v.isFinite else { throw bad("tokenizer.ggml.scores", "\($0) is not a finite f32") }
                return v
            }
        } else {
            scores = []
        }
        if let items = file.value(forKey: "tokenizer.ggml.token_type")?.arrayValue {
            guard items.count == list.count else { throw bad("tokenizer.ggml.token_type", "\(items.count) types for \(list.count) tokens") }
            types = try items.map {
                guard let v = $0.integerValue, let t = Int32(exactly: v) else { throw bad("tokenizer.ggml.token_type", "\($0) is not a token type") }
                return t
            }
        } else {
            types = [Int32](repeating: 1, count: list.count)
        }
        func id(_ key: String) throws -> Int? {
            guard let raw = file.value(forKey: "tokenizer.ggml.\(key)_token_id") else { return nil }
            guard let v = raw.integerValue, v >= 0, v < list.count else { throw bad("tokenizer.ggml.\(key)_token_id", "\(raw) is not a token id") }
            return Int(v)
        }
        bosId = try id("bos"); eosId = try id("eos"); unkId = try id("unknown"); padId = try id("padding")
        func flag(_ key: String) -> Bool? { if case let .bool(b)? = file.value(forKey: "tokenizer.ggml.\(key)") { return b }; return nil }
        // llama.cpp (and transformers) add BOS to a SentencePiece vocabulary that does not say.
        addBOS = flag("add_bos_token") ?? isSentencePiece
        addSpacePrefix = flag("add_space_prefix") ?? true
        addEOS = flag("add_eos_token") ?? false
        chatTemplate = file.value(forKey: "tokenizer.chat_template")?.stringValue
        self.maxLength = maxLength
    }

    /// gguf-py TokenType: CONTROL = 3, USER_DEFINED = 4 (and UNKNOWN = 2 in SentencePiece
    /// vocabularies, which transformers adds as the special unk token) become added tokens.
    var addedIds: [Int] { types.indices.filter { types[$0] == 3 || types[$0] == 4 || (isSentencePiece && types[$0] == 2) } }

    public func tokenizerJSON() -> [UInt8] {
        let added: [OrderedJSON] = addedIds.map { i in
            .object([.init(key: "id", value: .number(String(i))), .init(key: "content", value: .string(tokens[i])),
                     .init(key: "single_word", value: .bool(false)), .init(key: "lstrip", value: .bool(false)),
                     .init(key: "rstrip", value: .bool(false)), .init(key: "normalized", value: .bool(false)),
                     .init(key: "special", value: .bool(types[i] != 4))])
        }
        var seen = Set<String>()
        var vocab: [OrderedJSON.Member] = []
        vocab.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() where seen.insert(t).inserted {
            vocab.append(.init(key: t, value: .number(String(i))))
        }
        if isSentencePiece { return sentencePieceJSON(added: added, vocab: vocab) }
        let model: OrderedJSON = .object([
            .init(key: "type", value: .string("BPE")), .init(key: "dropout", value: .null), .init(key: "unk_token", value: .null),
            .init(key: "continuing_subword_prefix", value: .null), .init(key: "end_of_word_suffix", value: .null),
            .init(key: "fuse_unk", value: .bool(false)), .init(key: "byte_fallback", value: .bool(false)),
            .init(key: "ignore_merges", value: .bool(pre == "llama-bpe" || pre == "llama3" || pre == "llama-v3")),
            .init(key: "vocab", value: .object(vocab)), .init(key: "merges", value: .array(merges.map(OrderedJSON.string))),
        ])
        let root: OrderedJSON = .object([
            .init(key: "version", value: .string("1.0")), .init(key: "truncation", value: .null), .init(key: "padding", value: .null),
            .init(key: "added_tokens", value: .array(added)), .init(key: "normalizer", value: .null),
            .init(key: "pre_tokenizer", value: Self.preTokenizer(pre) ?? .null),
            .init(key: "post_processor", value: postProcessor()),
            .init(key: "decoder", value: Self.byteLevel), .init(key: "model", value: model),
        ])
        return root.serialized(style: .serdeCompact)
    }

    /// BOS/EOS as transformers' template processor adds them; otherwise ByteLevel offsets
    /// only (nothing for SentencePiece).
    func postProcessor() -> OrderedJSON {
        let bos = addBOS ? bosId : nil, eos = addEOS ? eosId : nil
        guard bos != nil || eos != nil else {
            if isSentencePiece { return .null }
            return .object([.init(key: "type", value: .string("ByteLevel")), .init(key: "add_prefix_space", value: .bool(true)),
                            .init(key: "trim_offsets", value: .bool(false)), .init(key: "use_regex", value: .bool(true))])
        }
        func special(_ id: Int) -> OrderedJSON {
            .object([.init(key: "SpecialToken", value: .object([.init(key: "id", value: .string(tokens[id])), .init(key: "type_id", value: .number("0"))]))])
        }
        func seq(_ name: String) -> OrderedJSON {
            .object([.init(key: "Sequence", value: .object([.init(key: "id", value: .string(name)), .init(key: "type_id", value: .number("0"))]))])
        }
        let single = [bos.map(special), seq("A"), eos.map(special)].compactMap { $0 }
        let pair = single + [bos.map(special), seq("B"), eos.map(special)].compactMap { $0 }
        var specials: [OrderedJSON.Member] = []
        for id in Set([bos, eos].compactMap { $0 }).sorted() {
            specials.append(.init(key: tokens[id], value: .object([
                .init(key: "id", value: .string(tokens[id])), .init(key: "ids", value: .array([.number(String(id))])),
                .init(key: "tokens", value: .array([.string(tokens[id])]))])))
        }
        return .object([.init(key: "type", value: .string("TemplateProcessing")), .init(key: "single", value: .array(single)),
                        .init(key: "pair", value: .array(pair)), .init(key: "special_tokens", value: .object(specials))])
    }

    public func tokenizerConfigJSON() -> [UInt8] {
        func token(_ id: Int?) -> OrderedJSON { id.map { .string(tokens[$0]) } ?? .null }
        var m: [OrderedJSON.Member] = [
            .init(key: "add_bos_token", value: .bool(addBOS)), .init(key: "add_eos_token", value: .bool(addEOS)),
            .init(key: "bos_token", value: token(bosId)),
        ]
        if let chatTemplate { m.append(.init(key: "chat_template", value: .string(chatTemplate))) }
        m += [
            .init(key: "clean_up_tokenization_spaces", value: .bool(false)),
            .init(key: "eos_token", value: token(eosId)),
            .init(key: "model_max_length", value: maxLength.map { .number(String($0)) } ?? .null),
            .init(key: "pad_token", value: token(padId)),
            .init(key: "tokenizer_class", value: .string(isSentencePiece ? "LlamaTokenizer" : "PreTrainedTokenizerFast")),
            .init(key: "unk_token", value: token(unkId)),
        ]
        return OrderedJSON.object(m).serialized(style: .pythonIndented(2)) + [0x0A]
    }
}
