/// Byte-pair encoding with merges applied by rank (lowest first), as the crate's
/// `Word::merge_all`: a min-heap of candidate pairs over a linked list of symbols, so a
/// word of n symbols costs O(n log n) instead of rescanning for every merge.
struct BPEModel: Sendable {
    let vocab: Vocabulary
    let unkToken: String?
    let continuingSubwordPrefix: [UInt8]?
    let endOfWordSuffix: [UInt8]?
    let fuseUnk: Bool
    let byteFallback: Bool
    let ignoreMerges: Bool
    let path: String
    /// (left id << 32 | right id) → (rank, merged id).
    private let merges: [UInt64: (rank: Int32, id: Int32)]
    /// rank → merged id of that merge line.
    private let resultIds: [Int32]
    /// Ids of single-scalar tokens, for the common case without prefix or suffix.
    private let scalarIds: [UInt32: Int]
    /// `<0xNN>` ids for byte fallback, nil where the vocabulary lacks one.
    private let byteIds: [Int?]

    init(_ r: ComponentReader) throws {
        vocab = try Vocabulary(r, field: "vocab")
        unkToken = try r.optionalString("unk_token")
        continuingSubwordPrefix = try r.optionalString("continuing_subword_prefix").map { Array($0.utf8) }
        endOfWordSuffix = try r.optionalString("end_of_word_suffix").map { Array($0.utf8) }
        fuseUnk = try r.bool("fuse_unk", default: false)
        byteFallback = try r.bool("byte_fallback", default: false)
        ignoreMerges = try r.bool("ignore_merges", default: false)
        path = r.path
        if let dropout = r.value("dropout") {
            switch dropout {
            case let .double(p) where p == 0: break
            case let .int(p) where p == 0: break
            default: throw r.unsupported("dropout", "BPE dropout makes encodings random")
            }
        }
        (merges, resultIds) = try BPEModel.parseMerges(r, vocab: vocab, prefixLength: continuingSubwordPrefix?.count ?? 0)
        var single: [UInt32: Int] = [:]
        for (key, id) in vocab.ids {
            if let s = String(exactUTF8: key), s.unicodeScalars.count == 1,
               let scalar = s.unicodeScalars.first {
                single[scalar.value] = id
            }
        }
        scalarIds = single
        let table = vocab
        byteIds = (0..<256).map { table.id(BPEModel.byteToken(UInt8($0))) }
    }

    static func byteToken(_ b: UInt8) -> String {
        let hex = String(b, radix: 16, uppercase: true)
        return "<0x" + (hex.count == 1 ? "0" + hex : hex) + ">"
    }

    /// Merges as `["a b", …]` (legacy) or `[["a", "b"], …]`; rank = position.
    private static func parseMerges(_ r: ComponentReader, vocab: Vocabulary,
                                    prefixLength: Int) throws -> ([UInt64: (rank: Int32, id: Int32)], [Int32]) {
        let items = try r.array("merges")
        guard items.count < Int(Int32.max) else { throw r.invalid("merges", "too many merges") }
        var table: [UInt64: (rank: Int32, id: Int32)] = [:]
        table.reserveCapacity(items.count)
        var results: [Int32] = []
        results.reserveCapacity(items.count)
        for (rank, item) in items.enumerated() {
            let a: String, b: String
            switch item {
            case let .string(line):
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw r.invalid("merges", "merge \(rank + 1) is not two tokens: '\(line)'") }
                a = String(parts[0]); b = String(parts[1])
            case let .array(pair):
                guard pair.count == 2, case let .string(x) = pair[0], case let .string(y) = pair[1] else {
                    throw r.invalid("merges", "merge \(rank + 1) is not a pair of strings")
                }
                a = x; b = y
            default:
                throw r.invalid("merges", "merge \(rank + 1) is \(item.kindName)")
            }
            let bBytes = Array(b.utf8)
            guard let aId = vocab.id(a) else { throw TextError.unknownToken(path: r.path, component: r.component, token: a) }
            guard let bId = vocab.id(bBytes) else { throw TextError.unknownToken(path: r.path, component: r.component, token: b) }
            guard bBytes.count >= prefixLength else {
                throw r.invalid("merges", "merge \(rank + 1): '\(b)' is shorter than the continuing-subword prefix")
            }
            let merged = Array(a.utf8) + bBytes[prefixLength...]
            guard let newId = vocab.id(merged) else {
                throw TextError.unknownToken(path: r.path, component: r.component, token: String(decoding: merged, as: UTF8.self))
            }
            guard aId <= Int(Int32.max), bId <= Int(Int32.max), newId <= Int(Int32.max) else {
                throw r.invalid("merges", "merge \(rank + 1) uses an id beyond 2^31")
            }
            table[UInt64(aId) << 32 | UInt64(bId)] = (Int32(rank), Int32(newId))
            results.append(Int32(newId))
        }
        return (table, results)
    }

    func tokenize(_ word: [Unicode.Scalar], into ids: inout [Int]) throws {
        if word.isEmpty { return }
        if ignoreMerges, let id = vocab.id(word.utf8Bytes) { ids.append(id); return }
        var symbols = try initialSymbols(word)
        mergeAll(&symbols)
        for s in symbols where s.alive { ids.append(s.id) }
    }

    private struct Symbol {
        var id: Int
        var prev: Int
        var next: Int
        var alive = true
    }

    /// One symbol per character (or per byte with byte fallback), unknowns as (fused) unk.
    private func initialSymbols(_ word: [Unicode.Scalar]) throws -> [Symbol] {
        var ids: [Int] = []
        ids.reserveCapacity(word.count)
        var pendingUnk: Int?
        let plain = continuingSubwordPrefix == nil && endOfWordSuffix == nil
        for i in word.indices {
            let id: Int?
            if plain {
                id = scalarIds[word[i].value]
            } else {
                var key = (i > 0 ? continuingSubwordPrefix : nil) ?? []
                UTF8.encode(word[i]) { key.append($0) }
                if i == word.count - 1, let suffix = endOfWordSuffix { key += suffix }
                id = vocab.id(key)
            }
            if let id {
                if let unk = pendingUnk { ids.append(unk); pendingUnk = nil }
                ids.append(id)
                continue
            }
            if byteFallback {
                var bytes: [Int] = []
                var complete = true
                // The crate looks up the bytes of the (prefixed/suffixed) string.
                var key = plain ? [] : ((i > 0 ? continuingSubwordPrefix : nil) ?? [])
                UTF8.encode(word[i]) { key.append($0) }
                if !plain, i == word.count - 1, let suffix = endOfWordSuffix { key += suffix }
                for b in key {
                    if let id = byteIds[Int(b)] { bytes.append(id) } else { complete = false; break }
                }
                if complete { ids.append(contentsOf: bytes); continue }
            }
            guard let unkToken else { continue }  // no unk token: the character is dropped
            guard let unk = vocab.id(unkToken) else {
                throw TextError.missingUnkToken(path: path, model: "BPE", piece: String(scalars: [word[i]]))
            }
            if let previous = pendingUnk, !fuseUnk { ids.append(previous) }
            pendingUnk = unk
        }
        if let unk = pendingUnk { ids.append(unk) }
        return ids.enumerated().map { i, id in Symbol(id: id, prev: i - 1, next: i + 1 < ids.count ? i + 1 : -1) }
    }

    private func mergeAll(_ symbols: inout [Symbol]) {
        guard symbols.count > 1, !merges.isEmpty else { return }
        var heap = MinHeap()
        for i in 0..<(symbols.count - 1) {
            if let m = merge(symbols[i].id, symbols[i + 1].id) { heap.push(rank: m.rank, pos: i) }
        }
        while let (rank, pos) = heap.pop() {
            let left = symbols[pos]
            guard left.alive, left.next != -1 else { continue }
            let right = symbols[left.next]
            // Skip entries made stale by earlier merges (the pair or its result changed).
            guard let m = merge(left.id, right.id), m.id == resultIds[Int(rank)] else { continue }
            symbols[pos].id = Int(m.id)
            symbols[pos].next = right.next
            symbols[left.next].alive = false
            if right.next != -1 { symbols[right.next].prev = pos }
            let current = symbols[pos]
            if current.prev >= 0, let p = merge(symbols[current.prev].id, current.id) {
                heap.push(rank: p.rank, pos: current.prev)
            }
            if current.next != -1, let n = merge(current.id, symbols[current.next].id) {
                heap.push(rank: n.rank, pos: pos)
            }
        }
    }

    private func merge(_ a: Int, _ b: Int) -> (rank: Int32, id: Int32)? {
        merges[UInt64(a) << 32 | UInt64(b)]
    }
}

/// A binary min-heap of (rank, position) pairs packed into one UInt64, so ties on rank
/// pop the leftmost position first, as in the crate.
private struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(rank: Int32, pos: Int) {
        items.append(UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(truncatingIfNeeded: pos)))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[parent] <= items[i] { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> (rank: Int32, pos: Int)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var smallest = i
                if l < items.count, items[l] < items[smallest] { smallest = l }
                if r < items.count, items[r] < items[smallest] { smallest = r }
                if smallest == i { break }
                items.swapAt(i, smallest)
                i = smallest
            }
        }
        return (Int32(bitPattern: UInt32(top >> 32)), Int(UInt32(truncatingIfNeeded: top)))
    }
}
