/// The tokenizer.json of a SentencePiece (`tokenizer.ggml.model = llama`) GGUF: the
/// vocabulary and merges transformers 5 builds for it (`LlamaTokenizer`: BPE with byte
/// fallback and fused unknowns, merges recovered from the scores by `generate_merges`), the
/// Replace/ByteFallback/Fuse/Strip decoder, and llama.cpp's space prefix as a normalizer
/// (Prepend("▁") when `add_space_prefix`, then Replace(" ", "▁")). llama.cpp's SPM tokenizer
/// merges the adjacent pair whose result scores highest; ranking merges by that score is the
/// same rule (checked on llama.cpp's ggml-vocab-llama-spm fixture).
extension GGUFTokenizerJSON {
    func sentencePieceJSON(added: [OrderedJSON], vocab: [OrderedJSON.Member]) -> [UInt8] {
        func obj(_ pairs: [(String, OrderedJSON)]) -> OrderedJSON { .object(pairs.map { .init(key: $0.0, value: $0.1) }) }
        let unk = unkId.map { OrderedJSON.string(tokens[$0]) } ?? .null
        let model = obj([
            ("type", .string("BPE")), ("dropout", .null), ("unk_token", unk), ("continuing_subword_prefix", .null),
            ("end_of_word_suffix", .null), ("fuse_unk", .bool(true)), ("byte_fallback", .bool(true)), ("ignore_merges", .bool(false)),
            ("vocab", .object(vocab)),
            ("merges", .array(Self.generateMerges(tokens: tokens, scores: scores).map { .array([.string($0.0), .string($0.1)]) })),
        ])
        // llama.cpp puts "▁" before the text unconditionally (also before a leading space),
        // which Metaspace cannot say (it skips text already starting with "▁"); a normalizer
        // can, as transformers does for Phi-3 GGUFs.
        var steps: [OrderedJSON] = []
        if addSpacePrefix { steps.append(obj([("type", .string("Prepend")), ("prepend", .string("\u{2581}"))])) }
        steps.append(obj([("type", .string("Replace")), ("pattern", obj([("String", .string(" "))])), ("content", .string("\u{2581}"))]))
        let normalizer = obj([("type", .string("Sequence")), ("normalizers", .array(steps))])
        var decoders: [OrderedJSON] = [
            obj([("type", .string("Replace")), ("pattern", obj([("String", .string("\u{2581}"))])), ("content", .string(" "))]),
            obj([("type", .string("ByteFallback"))]), obj([("type", .string("Fuse"))]),
        ]
        if addSpacePrefix { decoders.append(obj([("type", .string("Strip")), ("content", .string(" ")), ("start", .number("1")), ("stop", .number("0"))])) }
        let root = obj([
            ("version", .string("1.0")), ("truncation", .null), ("padding", .null), ("added_tokens", .array(added)),
            ("normalizer", normalizer), ("pre_tokenizer", .null), ("post_processor", postProcessor()),
            ("decoder", obj([("type", .string("Sequence")), ("decoders", .array(decoders))])), ("model", model),
        ])
        return root.serialized(style: .serdeCompact)
    }

    /// transformers `generate_merges(vocab, vocab_scores)`: for every token (first occurrence
    /// order, its last score), each split into two vocabulary tokens, ordered by the ids of
    /// the halves; then all merges stably sorted by (score, |left|, |right|) descending.
    static func generateMerges(tokens: [String], scores: [Float]) -> [(String, String)] {
        var ids: [String: Int] = [:]
        var score: [String: Float] = [:]
        var order: [String] = []
        for (i, t) in tokens.enumerated() {
            if ids[t] == nil { ids[t] = i; order.append(t) }
            score[t] = scores[i]
        }
        var merges: [(left: String, right: String, score: Float, l: Int, r: Int, seq: Int)] = []
        for t in order {
            let scalars = Array(t.unicodeScalars)
            guard scalars.count > 1 else { continue }
            var local: [(String, String, Int, Int, Int, Int)] = []
            for cut in 1..<scalars.count {
                var left = String.UnicodeScalarView(), right = String.UnicodeScalarView()
                left.append(contentsOf: scalars[..<cut]); right.append(contentsOf: scalars[cut...])
                let l = String(left), r = String(right)
                if let li = ids[l], let ri = ids[r] { local.append((l, r, li, ri, cut, scalars.count - cut)) }
            }
            local.sort { ($0.2, $0.3) < ($1.2, $1.3) }
            for m in local { merges.append((m.0, m.1, score[t] ?? 0, m.4, m.5, merges.count)) }
        }
        merges.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.l != b.l { return a.l > b.l }
            if a.r != b.r { return a.r > b.r }
            return a.seq < b.seq
        }
        return merges.map { ($0.left, $0.right) }
    }
}
