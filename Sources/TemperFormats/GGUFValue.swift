/// The type tag of a GGUF metadata value; raw values are the file's numbers.
public enum GGUFValueType: UInt32, CaseIterable, Sendable, Codable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5
    case float32 = 6, bool = 7, string = 8, array = 9
    case uint64 = 10, int64 = 11, float64 = 12

    /// Bytes of a fixed-size value; nil for strings and arrays.
    public var fixedSize: Int? {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        case .string, .array: return nil
        }
    }

    /// The fewest bytes one value of this type can take in a file: a string needs its
    /// 8-byte length, an array its 4-byte element type and 8-byte count.
    public var minimumEncodedSize: Int {
        switch self {
        case .string: return 8
        case .array: return 12
        default: return fixedSize ?? 1
        }
    }
}

/// One GGUF metadata value. Arrays carry their element type so that empty arrays and
/// nested arrays (arrays of arrays, each with its own element type) round-trip exactly.
public indirect enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16)
    case uint32(UInt32), int32(Int32), float32(Float), bool(Bool)
    case string(String)
    case array(GGUFValueType, [GGUFValue])
    case uint64(UInt64), int64(Int64), float64(Double)

    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        }
    }

    /// The value as a signed integer when it is one of the integer types and fits.
    public var integerValue: Int64? {
        switch self {
        case let .uint8(v): return Int64(v)
        case let .int8(v): return Int64(v)
        case let .uint16(v): return Int64(v)
        case let .int16(v): return Int64(v)
        case let .uint32(v): return Int64(v)
        case let .int32(v): return Int64(v)
        case let .uint64(v): return v <= UInt64(Int64.max) ? Int64(v) : nil
        case let .int64(v): return v
        default: return nil
        }
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    public var arrayValue: [GGUFValue]? {
        if case let .array(_, items) = self { return items }
        return nil
    }

    /// Appends the value's bytes as GGUF stores them (little-endian; without the type tag).
    public func encode(into out: inout [UInt8]) {
        switch self {
        case let .uint8(v): out.append(v)
        case let .int8(v): out.append(UInt8(bitPattern: v))
        case let .uint16(v): Self.appendLE(v, to: &out)
        case let .int16(v): Self.appendLE(UInt16(bitPattern: v), to: &out)
        case let .uint32(v): Self.appendLE(v, to: &out)
        case let .int32(v): Self.appendLE(UInt32(bitPattern: v), to: &out)
        case let .float32(v): Self.appendLE(v.bitPattern, to: &out)
        case let .bool(v): out.append(v ? 1 : 0)
        case let .string(s): Self.appendString(s, to: &out)
        case let .array(elementType, items):
            Self.appendLE(elementType.rawValue, to: &out)
            Self.appendLE(UInt64(items.count), to: &out)
            for item in items { item.encode(into: &out) }
        case let .uint64(v): Self.appendLE(v, to: &out)
        case let .int64(v): Self.appendLE(UInt64(bitPattern: v), to: &out)
        case let .float64(v): Self.appendLE(v.bitPattern, to: &out)
        }
    }

    /// Whether every element of every array has its array's declared element type.
    public var isWellTyped: Bool {
        guard case let .array(elementType, items) = self else { return true }
        return items.allSatisfy { $0.type == elementType && $0.isWellTyped }
    }

    static func appendLE<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    static func appendString(_ s: String, to out: inout [UInt8]) {
        let utf8 = s.utf8
        appendLE(UInt64(utf8.count), to: &out)
        out.append(contentsOf: utf8)
    }
}

/// One metadata entry; files keep entries in order, so readers and writers use arrays.
public struct GGUFKeyValue: Sendable, Equatable {
    public var key: String
    public var value: GGUFValue

    public init(_ key: String, _ value: GGUFValue) {
        self.key = key; self.value = value
    }
}
