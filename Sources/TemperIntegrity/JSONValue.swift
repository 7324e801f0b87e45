import Foundation

/// A JSON document that keeps object key order and number spelling, so what Temper
/// signs or hashes is byte-for-byte what it wrote (dictionaries would lose the order).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, validated by the parser or produced by `int`/`double`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    public static func int(_ v: some BinaryInteger) -> JSONValue { .number(String(v)) }

    /// Finite doubles in the shortest form that reads back exactly; NaN and ±inf become null
    /// (JSON has no spelling for them).
    public static func double(_ v: Double) -> JSONValue {
        guard v.isFinite else { return .null }
        if v == v.rounded(), abs(v) < 1e15 { return .number(String(Int64(v)) + ".0") }
        return .number("\(v)")
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        let wanted = Array(key.utf8)
        return members.first { Array($0.key.utf8) == wanted }?.value
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: [JSONMember]? { if case .object(let o) = self { return o } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The number as an exact integer when it is written as one (no fraction, no exponent).
    public var int64Value: Int64? { if case .number(let n) = self { return Int64(n) } else { return nil } }
    public var uint64Value: UInt64? { if case .number(let n) = self { return UInt64(n) } else { return nil } }
    public var doubleValue: Double? { if case .number(let n) = self { return Double(n) } else { return nil } }

    /// Encodes a Codable value with sorted keys, then reads it back as an ordered value:
    /// a deterministic way to record any configuration struct.
    public init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        self = try JSONParser.parse(Array(data), path: "<encoded value>")
    }

    /// Decodes the value into a Codable type (through Foundation's decoder).
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(JSONWriter.compact(self)))
    }
}

/// One key/value pair of a JSON object, in document order.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSONValue
    public init(_ key: String, _ value: JSONValue) { self.key = key; self.value = value }

    public static func == (a: JSONMember, b: JSONMember) -> Bool {
        Array(a.key.utf8) == Array(b.key.utf8) && a.value == b.value
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
}

/// Encodable so reports holding a JSON value print through Foundation's encoder (which
/// sorts keys there); reading JSON always goes through `JSONParser`, which keeps order.
extension JSONValue: Encodable {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if let i = Int64(n) { try c.encode(i) } else if let u = UInt64(n) { try c.encode(u) } else { try c.encode(Double(n) ?? 0) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let members):
            var dict: [String: JSONValue] = [:]
            for m in members { dict[m.key] = m.value }
            try c.encode(dict)
        }
    }
}
