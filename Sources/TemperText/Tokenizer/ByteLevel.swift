/// GPT-2's byte-level machinery: the reversible byte ↔ printable-character map and the
/// pre-tokenization regex
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
/// implemented as a hand-written scanner with the same leftmost-first alternation.
enum ByteLevel {
    /// byte → character (`bytes_char` in the crate, `bytes_to_unicode` in GPT-2).
    static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            if printable {
                table[b] = Unicode.Scalar(UInt8(b))
            } else {
                table[b] = Unicode.Scalar(256 + n) ?? " "  // 256...323: always valid scalars
                n += 1
            }
        }
        return table
    }()

    /// character → byte, for decoding; nil for characters outside the map.
    static let scalarToByte: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (b, s) in byteToScalar.enumerated() { map[s.value] = UInt8(b) }
        return map
    }()

    /// Replaces every UTF-8 byte of `s` by its mapped character.
    static func mapBytes(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count * 2)
        for scalar in s {
            UTF8.encode(scalar) { out.append(byteToScalar[Int($0)]) }
        }
        return out
    }

    private enum Kind { case letter, number, space, other }

    private static func kind(_ s: Unicode.Scalar) -> Kind {
        if s.isWhiteSpace { return .space }
        if s.isLetter { return .letter }
        if s.isNumber { return .number }
        return .other
    }

    /// The regex matches of `s`, in order; together they cover every scalar.
    static func gpt2Matches(_ s: [Unicode.Scalar]) -> [Range<Int>] {
        let n = s.count
        var kinds = [Kind](); kinds.reserveCapacity(n)
        for scalar in s { kinds.append(kind(scalar)) }
        var out: [Range<Int>] = []
        var i = 0
        while i < n {
            let end = matchEnd(s, kinds, at: i)
            out.append(i..<end)
            i = end
        }
        return out
    }

    private static func matchEnd(_ s: [Unicode.Scalar], _ kinds: [Kind], at i: Int) -> Int {
        let n = s.count
        // 's|'t|'re|'ve|'m|'ll|'d  (case-sensitive)
        if s[i] == "'", i + 1 < n {
            switch s[i + 1] {
            case "s", "t", "m", "d": return i + 2
            case "r", "v":
                if i + 2 < n, s[i + 2] == "e" { return i + 3 }
            case "l":
                if i + 2 < n, s[i + 2] == "l" { return i + 3 }
            default: break
            }
        }
        //  ?\p{L}+ |  ?\p{N}+ |  ?[^\s\p{L}\p{N}]+
        var start = i
        if s[i] == " ", i + 1 < n, kinds[i + 1] != .space { start = i + 1 }
        let k = kinds[start]
        if k != .space {
            var j = start + 1
            while j < n, kinds[j] == k { j += 1 }
            return j
        }
        // \s+(?!\S) | \s+
        var j = i + 1
        while j < n, kinds[j] == .space { j += 1 }
        if j == n || j - i == 1 { return j }
        return j - 1
    }
}
