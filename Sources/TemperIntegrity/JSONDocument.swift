import Foundation
import TemperFormats

/// JSON as the integrity formats use it, on top of TemperFormats' `OrderedJSON` (which keeps
/// key order and number spelling, so what Temper signs or hashes is exactly what it wrote).
/// Layouts: `.pythonIndented(2)` is Python `json.dumps(indent=2, ensure_ascii=True)` — the
/// layout of protobuf `MessageToJson` (in-toto payload), the manifest and the provenance
/// file; `.serdeCompact` has no whitespace at all (the Sigstore bundle, which is ASCII).
public enum JSONDocument {
    /// Parses a document, rejecting duplicate keys at any depth (a signed document must
    /// not mean different things to different readers). Errors name the file and byte offset.
    public static func parse(_ bytes: [UInt8], path: String) throws -> OrderedJSON {
        let value: OrderedJSON
        do { value = try OrderedJSON.parse(bytes) } catch {
            throw IntegrityError.invalidJSON(path: path, offset: error.offset, reason: error.reason)
        }
        if let key = firstDuplicateKey(value) {
            throw IntegrityError.invalidJSON(path: path, offset: 0, reason: "duplicate key '\(key)'")
        }
        return value
    }

    static func firstDuplicateKey(_ value: OrderedJSON) -> String? {
        switch value {
        case .object(let members):
            var seen = Set<[UInt8]>()
            for m in members {
                if !seen.insert(Array(m.key.utf8)).inserted { return m.key }
                if let d = firstDuplicateKey(m.value) { return d }
            }
            return nil
        case .array(let items):
            for item in items { if let d = firstDuplicateKey(item) { return d } }
            return nil
        default: return nil
        }
    }

    /// Encodes a Codable value with sorted keys and reads it back as ordered JSON: a
    /// deterministic record of any configuration struct.
    public static func encoding(_ value: some Encodable) throws -> OrderedJSON {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try parse(Array(try encoder.encode(value)), path: "<encoded value>")
    }
}

extension OrderedJSON {
    static func int(_ v: some BinaryInteger) -> OrderedJSON { .number(String(v)) }

    /// Finite doubles in Swift's shortest round-trip form; NaN and ±inf become null.
    public static func double(_ v: Double) -> OrderedJSON {
        guard v.isFinite else { return .null }
        return .number("\(v)")
    }

    static func member(_ key: String, _ value: OrderedJSON) -> Member { Member(key: key, value: value) }

    var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    var isNull: Bool { if case .null = self { return true } else { return false } }
    /// Signed integers written as such (optional minus, digits only).
    var int64Value: Int64? {
        guard case .number(let text) = self, !text.contains(where: { ".eE+".contains($0) }) else { return nil }
        return Int64(text)
    }
}

/// Lets reports that hold a JSON value print through Foundation's encoder.
struct EncodableJSON: Encodable {
    let value: OrderedJSON
    init(_ value: OrderedJSON) { self.value = value }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch value {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if let i = Int64(n) { try c.encode(i) } else if let u = UInt64(n) { try c.encode(u) } else if let d = Double(n) { try c.encode(d) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let items): try c.encode(items.map(EncodableJSON.init))
        case .object(let members):
            var dict: [String: EncodableJSON] = [:]
            for m in members { dict[m.key] = EncodableJSON(m.value) }
            try c.encode(dict)
        }
    }
}

/// Short spelling for object members in the builders of this module.
typealias JSONMember = OrderedJSON.Member

extension OrderedJSON.Member {
    init(_ key: String, _ value: OrderedJSON) { self.init(key: key, value: value) }
}
