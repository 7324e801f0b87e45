import Foundation

/// A GGUF v3 file, memory-mapped and validated on open. Metadata and tensor infos keep
/// file order; tensor bytes are read in place (`bytes(of:)`) without copying.
/// The rules enforced are listed in Formats/gguf.md.
public final class GGUFFile: @unchecked Sendable {
    public static let magic: [UInt8] = Array("GGUF".utf8)
    public static let supportedVersion: UInt32 = 3
    public static let defaultAlignment = 32
    /// ggml's `GGML_MAX_DIMS`.
    public static let maxDimensions = 4
    static let alignmentKey = "general.alignment"

    public let path: String
    public let version: UInt32
    public let metadata: [GGUFKeyValue]
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Absolute offset of the data section (end of tensor infos, padded to `alignment`).
    public let dataStart: UInt64
    public let fileSize: UInt64
    private let mapping: GGUFMapping
    private let keyIndex: [String: Int]
    private let tensorIndex: [String: Int]

    public convenience init(url: URL) throws {
        try self.init(path: url.path)
    }

    public init(path: String) throws {
        self.path = path
        mapping = try GGUFMapping(path: path)
        let bytes = mapping.bytes
        fileSize = UInt64(bytes.count)
        var cursor = GGUFCursor(bytes: bytes, path: path)

        let magicBytes = Array(try cursor.readBytes(4))
        guard magicBytes == Self.magic else { throw FormatError.badMagic(path: path, found: magicBytes) }
        version = try cursor.read(UInt32.self)
        guard version == Self.supportedVersion else { throw FormatError.unsupportedVersion(path: path, version: version) }
        let countsAt = cursor.offset
        let tensorCount = try cursor.read(UInt64.self)
        let kvCount = try cursor.read(UInt64.self)
        // Minimal encodings: a tensor info is name length + n_dims + type + offset (24 bytes);
        // a KV pair is key length + type tag + a one-byte value (13 bytes).
        try cursor.checkCount(kvCount, minimumSize: 13, what: "key-value", at: countsAt + 8)

        var entries: [GGUFKeyValue] = []
        var keys: [String: Int] = [:]
        for _ in 0..<kvCount {
            let key = try cursor.readString("key")
            let rawType = try cursor.read(UInt32.self)
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw FormatError.unknownValueType(path: path, key: key, type: rawType)
            }
            let value = try Self.readValue(type, key: key, cursor: &cursor)
            if keys[key] != nil { throw FormatError.duplicateKey(path: path, key: key) }
            keys[key] = entries.count
            entries.append(GGUFKeyValue(key, value))
        }
        metadata = entries
        keyIndex = keys

        var align = Self.defaultAlignment
        if let i = keys[Self.alignmentKey] {
            guard case let .uint32(a) = entries[i].value else {
                throw FormatError.invalidMetadata(path: path, reason: "\(Self.alignmentKey) must be a u32, found \(entries[i].value.type)")
            }
            guard a != 0, a & (a - 1) == 0 else { throw FormatError.invalidAlignment(path: path, alignment: UInt64(a)) }
            align = Int(a)
        }
        alignment = align

        try cursor.checkCount(tensorCount, minimumSize: 24, what: "tensor", at: countsAt)
        var raw: [(name: String, dims: [UInt64], type: UInt32, offset: UInt64)] = []
        raw.reserveCapacity(Int(tensorCount))
        for _ in 0..<tensorCount {
            let name = try cursor.readString("tensor name")
            let nDims = try cursor.read(UInt32.self)
            guard nDims <= UInt32(Self.maxDimensions) else {
                throw FormatError.invalidShape(path: path, tensor: name, reason: "\(nDims) dimensions (at most \(Self.maxDimensions))")
            }
            var dims: [UInt64] = []
            for _ in 0..<nDims { dims.append(try cursor.read(UInt64.self)) }
            let type = try cursor.read(UInt32.self)
            let offset = try cursor.read(UInt64.self)
            raw.append((name, dims, type, offset))
        }
        let infosEnd = UInt64(cursor.offset)
        let padded = infosEnd.addingReportingOverflow(UInt64(align - 1)).partialValue / UInt64(align) * UInt64(align)
        dataStart = padded

        var infos: [GGUFTensorInfo] = []
        var names: [String: Int] = [:]
        for r in raw {
            if names[r.name] != nil { throw FormatError.duplicateTensor(path: path, tensor: r.name) }
            let info = try Self.validate(r, dataStart: padded, alignment: UInt64(align), fileSize: fileSize, path: path)
            names[r.name] = infos.count
            infos.append(info)
        }
        try Self.checkOverlaps(infos, path: path)
        tensors = infos
        tensorIndex = names
    }

    /// The value stored under `key`, if any.
    public func value(forKey key: String) -> GGUFValue? {
        keyIndex[key].map { metadata[$0].value }
    }

    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The tensor's bytes inside the memory map (no copy). Valid while this object lives.
    /// An info whose range lies outside this file (one from another file) yields no bytes.
    public func bytes(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        guard tensor.fileRange.upperBound <= fileSize else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let lo = Int(tensor.fileRange.lowerBound), hi = Int(tensor.fileRange.upperBound)
        return UnsafeRawBufferPointer(rebasing: mapping.bytes[lo..<hi])
    }

    /// Calls `body` with the tensor's bytes, keeping the mapping alive for the call.
    public func withBytes<R>(of tensor: GGUFTensorInfo, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(bytes(of: tensor)) }
    }

    /// `TensorRecord`s for the tensors with a plain element type; quantized ones are skipped.
    public func tensorRecords(file: String) -> [TensorRecord] {
        tensors.compactMap { $0.tensorRecord(file: file) }
    }

    // MARK: - Parsing helpers

    static func readValue(_ type: GGUFValueType, key: String, cursor: inout GGUFCursor, depth: Int = 0) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try cursor.read(UInt8.self))
        case .int8: return .int8(try cursor.read(Int8.self))
        case .uint16: return .uint16(try cursor.read(UInt16.self))
        case .int16: return .int16(try cursor.read(Int16.self))
        case .uint32: return .uint32(try cursor.read(UInt32.self))
        case .int32: return .int32(try cursor.read(Int32.self))
        case .float32: return .float32(Float(bitPattern: try cursor.read(UInt32.self)))
        case .bool:
            let at = cursor.offset
            let b = try cursor.read(UInt8.self)
            guard b <= 1 else {
                throw FormatError.invalidMetadata(path: cursor.path, reason: "key '\(key)': bool at byte \(at) is \(b), not 0 or 1")
            }
            return .bool(b == 1)
        case .string: return .string(try cursor.readString("value of '\(key)'"))
        case .uint64: return .uint64(try cursor.read(UInt64.self))
        case .int64: return .int64(try cursor.read(Int64.self))
        case .float64: return .float64(Double(bitPattern: try cursor.read(UInt64.self)))
        case .array:
            // Nesting costs at least 12 bytes per level, so the file size bounds it; the
            // explicit limit only keeps the recursion shallow on hostile input.
            guard depth < 64 else {
                throw FormatError.invalidMetadata(path: cursor.path, reason: "key '\(key)': arrays nested deeper than 64 levels")
            }
            let rawElement = try cursor.read(UInt32.self)
            guard let element = GGUFValueType(rawValue: rawElement) else {
                throw FormatError.unknownValueType(path: cursor.path, key: key, type: rawElement)
            }
            let countAt = cursor.offset
            let count = try cursor.read(UInt64.self)
            try cursor.checkCount(count, minimumSize: element.minimumEncodedSize, what: "array '\(key)'", at: countAt)
            var items: [GGUFValue] = []
            items.reserveCapacity(Int(count))
            for _ in 0..<count {
                items.append(try readValue(element, key: key, cursor: &cursor, depth: depth + 1))
            }
            return .array(element, items)
        }
    }

    static func validate(_ r: (name: String, dims: [UInt64], type: UInt32, offset: UInt64),
                         dataStart: UInt64, alignment: UInt64, fileSize: UInt64, path: String) throws -> GGUFTensorInfo {
        guard let type = GGMLType(rawValue: r.type) else {
            throw FormatError.unknownGGMLType(path: path, tensor: r.name, type: r.type)
        }
        var elements: UInt64 = 1
        for d in r.dims {
            guard d <= UInt64(Int64.max) else {
                throw FormatError.invalidShape(path: path, tensor: r.name, reason: "dimension \(d) exceeds 2^63-1")
            }
            let (p, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow, p <= UInt64(Int64.max) else {
                throw FormatError.invalidShape(path: path, tensor: r.name, reason: "element count of dimensions \(r.dims) overflows 64 bits")
            }
            elements = p
        }
        guard CheckedMath.elementCount(r.dims) != nil else {
            throw FormatError.invalidShape(path: path, tensor: r.name, reason: "dimensions \(r.dims) multiply beyond \(Int.max) (a dimension is absurdly large)")
        }
        let innermost = r.dims.first ?? 1
        guard innermost % UInt64(type.blockSize) == 0, let bytes = type.byteCount(elements: elements) else {
            throw FormatError.invalidBlockShape(path: path, tensor: r.name,
                                                shape: r.dims.reversed().map { Int(truncatingIfNeeded: $0) }, blockSize: type.blockSize)
        }
        guard r.offset % alignment == 0 else {
            throw FormatError.misalignedTensor(path: path, tensor: r.name, offset: r.offset, alignment: alignment)
        }
        let (begin, o1) = dataStart.addingReportingOverflow(r.offset)
        let (end, o2) = begin.addingReportingOverflow(bytes)
        guard !o1, !o2, end <= fileSize else {
            throw FormatError.invalidOffsets(path: path, tensor: r.name,
                                             reason: "data at offset \(r.offset) (+\(bytes) bytes) runs past the end of the \(fileSize)-byte file")
        }
        return GGUFTensorInfo(name: r.name, dimensions: r.dims, type: type, offset: r.offset,
                              elementCount: elements, byteCount: bytes, fileRange: begin..<end)
    }

    static func checkOverlaps(_ infos: [GGUFTensorInfo], path: String) throws {
        let sorted = infos.filter { $0.byteCount > 0 }.sorted { $0.fileRange.lowerBound < $1.fileRange.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.fileRange.lowerBound < a.fileRange.upperBound {
            throw FormatError.overlappingTensors(path: path, first: a.name, second: b.name)
        }
    }
}
