import Foundation

/// tokenizer.json's `truncation`, applied as `tokenizers` does: before the post-processor,
/// with `max_length` reduced by the special tokens the post-processor will add.
public struct Truncation: Sendable, Equatable {
    public enum Strategy: String, Sendable { case longestFirst = "LongestFirst", onlyFirst = "OnlyFirst", onlySecond = "OnlySecond" }

    public var maxLength: Int
    public var strategy: Strategy
    public var stride: Int
    /// Left truncation drops tokens from the start.
    public var fromLeft: Bool

    public init(maxLength: Int, strategy: Strategy = .longestFirst, stride: Int = 0, fromLeft: Bool = false) {
        self.maxLength = maxLength
        self.strategy = strategy
        self.stride = stride
        self.fromLeft = fromLeft
    }

    static func parse(_ r: ComponentReader) throws -> Truncation {
        let maxLength = try r.int("max_length")
        let stride = try r.int("stride", default: 0)
        guard let strategy = Strategy(rawValue: try r.optionalString("strategy") ?? "LongestFirst") else {
            throw r.invalid("strategy", "expected LongestFirst, OnlyFirst or OnlySecond")
        }
        let direction = try r.optionalString("direction") ?? "Right"
        guard direction == "Left" || direction == "Right" else { throw r.invalid("direction", "expected Left or Right") }
        return Truncation(maxLength: maxLength, strategy: strategy, stride: stride, fromLeft: direction == "Left")
    }

    private func cut(_ e: inout Encoding, to length: Int) {
        guard e.ids.count > length else { return }
        let keep = fromLeft ? (e.ids.count - length)..<e.ids.count : 0..<length
        e = Encoding(ids: Array(e.ids[keep]), typeIds: Array(e.typeIds[keep]), attentionMask: Array(e.attentionMask[keep]))
    }

    /// `truncate_encodings`: the sequence (or pair) cut to `maxLength` tokens in all.
    func apply(_ parts: inout [Encoding], maxLength: Int, source: String) throws {
        if maxLength == 0 {
            for i in parts.indices { cut(&parts[i], to: 0) }
            return
        }
        let total = parts.reduce(0) { $0 + $1.ids.count }
        guard total > maxLength else { return }
        let toRemove = total - maxLength
        switch strategy {
        case .longestFirst:
            guard parts.count == 2 else { cut(&parts[0], to: total - toRemove); return }
            var n1 = parts[0].ids.count, n2 = parts[1].ids.count
            let swapped = n1 > n2
            if swapped { swap(&n1, &n2) }
            n2 = n1 > maxLength ? n1 : max(n1, maxLength - n1)
            if n1 + n2 > maxLength {
                n1 = maxLength / 2
                n2 = n1 + maxLength % 2
            }
            if swapped { swap(&n1, &n2) }
            cut(&parts[0], to: n1)
            cut(&parts[1], to: n2)
        case .onlyFirst, .onlySecond:
            let target = strategy == .onlyFirst ? 0 : 1
            guard target < parts.count else {
                throw TextError.invalidField(path: source, component: "truncation", field: "strategy",
                                             reason: "OnlySecond needs a pair of sequences")
            }
            let length = parts[target].ids.count
            guard length > toRemove else {
                throw TextError.invalidField(path: source, component: "truncation", field: "max_length",
                                             reason: "the sequence to truncate is too short to respect max_length \(maxLength)")
            }
            cut(&parts[target], to: length - toRemove)
        }
    }
}

/// tokenizer.json's `padding`: to a fixed length or to the batch's longest, rounded up to
/// `pad_to_multiple_of`, with `pad_id` / `pad_type_id` and attention mask 0, on either side.
public struct Padding: Sendable, Equatable {
    /// nil: the longest encoding of the batch.
    public var fixedLength: Int?
    public var padToMultipleOf: Int?
    public var padId: Int
    public var padTypeId: Int
    public var fromLeft: Bool

    public init(fixedLength: Int? = nil, padToMultipleOf: Int? = nil, padId: Int = 0, padTypeId: Int = 0, fromLeft: Bool = false) {
        self.fixedLength = fixedLength
        self.padToMultipleOf = padToMultipleOf
        self.padId = padId
        self.padTypeId = padTypeId
        self.fromLeft = fromLeft
    }

    static func parse(_ r: ComponentReader) throws -> Padding {
        var fixed: Int?
        switch r.value("strategy") {
        case nil, .string("BatchLongest")?: fixed = nil
        case let .object(pairs)? where pairs.count == 1 && pairs[0].key == "Fixed":
            guard case let .int(n) = pairs[0].value, n >= 0 else { throw r.invalid("strategy", "Fixed needs a length ≥ 0") }
            fixed = n
        default: throw r.invalid("strategy", "expected \"BatchLongest\" or {\"Fixed\": n}")
        }
        let direction = try r.optionalString("direction") ?? "Right"
        guard direction == "Left" || direction == "Right" else { throw r.invalid("direction", "expected Left or Right") }
        let multiple = r.value("pad_to_multiple_of") == nil ? nil : try r.int("pad_to_multiple_of")
        let padId = try r.int("pad_id", default: 0)
        let padTypeId = try r.int("pad_type_id", default: 0)
        return Padding(fixedLength: fixed, padToMultipleOf: multiple, padId: padId, padTypeId: padTypeId, fromLeft: direction == "Left")
    }

    /// `pad_encodings`: every encoding padded to the same target (never truncated).
    func apply(_ encodings: inout [Encoding]) {
        var target = fixedLength ?? encodings.map(\.ids.count).max() ?? 0
        if let m = padToMultipleOf, m > 0, target % m > 0 { target += m - target % m }
        for i in encodings.indices {
            let n = target - encodings[i].ids.count
            guard n > 0 else { continue }
            let e = encodings[i]
            let ids = Array(repeating: padId, count: n), types = Array(repeating: padTypeId, count: n)
            let mask = Array(repeating: 0, count: n)
            encodings[i] = fromLeft
                ? Encoding(ids: ids + e.ids, typeIds: types + e.typeIds, attentionMask: mask + e.attentionMask)
                : Encoding(ids: e.ids + ids, typeIds: e.typeIds + types, attentionMask: e.attentionMask + mask)
        }
    }
}
