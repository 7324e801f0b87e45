/// The parsed, validated header of a safetensors file. The rules are those the reference
/// Rust crate enforces (see Formats/safetensors.md); where it silently accepts something
/// dangerous (duplicate keys, which serde overwrites) this reader rejects it.
public struct SafetensorsHeader: Sendable {
    /// Largest header the reference reads (100 MB).
    public static let maxLength: UInt64 = 100_000_000
    public static let metadataKey = "__metadata__"

    /// Tensors in header (JSON) order; `fileRange` is absolute in the file.
    public var tensors: [TensorRecord]
    /// `__metadata__` entries in header order.
    public var metadata: [(key: String, value: String)]
    /// Whether the header has a `__metadata__` object (possibly empty). Needed to
    /// re-serialise `{"__metadata__":{}}` and `{}` differently, as the reference does.
    public var hasMetadataBlock: Bool
    /// N, the header length stored in the first 8 bytes (padding included).
    public var headerLength: UInt64
    /// Absolute offset of the data buffer: 8 + N.
    public var dataStart: UInt64 { 8 + headerLength }

    /// Parses and validates the header of a whole safetensors file held in `file`.
    /// `path` names the file in errors; `fileName` goes into each record's `file`.
    public static func parse(file: UnsafeRawBufferPointer, path: String, fileName: String) throws(FormatError) -> SafetensorsHeader {
        let size = UInt64(file.count)
        guard size >= 8 else { throw .truncated(path: path, offset: 0, needed: 8, available: size) }
        var n: UInt64 = 0
        for i in (0..<8).reversed() { n = n << 8 | UInt64(file[i]) }
        guard n <= maxLength else { throw .headerTooLarge(path: path, length: n, limit: maxLength) }
        guard n <= size - 8 else { throw .headerBeyondFile(path: path, headerLength: n, fileSize: size) }
        let headerBytes = UnsafeRawBufferPointer(rebasing: file[8..<(8 + Int(n))])
        guard String(validating: headerBytes, as: UTF8.self) != nil else { throw .notUTF8(path: path) }
        let json: OrderedJSON
        do { json = try OrderedJSON.parse(validatedUTF8: headerBytes) } catch {
            throw .invalidHeader(path: path, reason: "invalid JSON: \(error.description)")
        }
        guard case let .object(members) = json else {
            throw .invalidHeader(path: path, reason: "header is \(json.kindName), not an object")
        }
        var parser = EntryParser(path: path, fileName: fileName, dataStart: 8 + n, bufferSize: size - 8 - n)
        for member in members {
            if member.key == metadataKey { try parser.readMetadata(member.value) } else { try parser.readTensor(member.key, member.value) }
        }
        try parser.checkCoverage()
        return SafetensorsHeader(tensors: parser.records, metadata: parser.metadata,
                                 hasMetadataBlock: parser.hasMetadataBlock, headerLength: n)
    }
}

/// Reads header entries one by one, validating each, then checks the buffer coverage.
private struct EntryParser {
    let path: String
    let fileName: String
    let dataStart: UInt64
    let bufferSize: UInt64
    var records: [TensorRecord] = []
    var relative: [(begin: UInt64, end: UInt64)] = []
    var names = Set<String>()
    var metadata: [(key: String, value: String)] = []
    var hasMetadataBlock = false
    var sawMetadataKey = false

    init(path: String, fileName: String, dataStart: UInt64, bufferSize: UInt64) {
        self.path = path; self.fileName = fileName; self.dataStart = dataStart; self.bufferSize = bufferSize
    }

    mutating func readMetadata(_ value: OrderedJSON) throws(FormatError) {
        guard !sawMetadataKey else { throw .invalidMetadata(path: path, reason: "__metadata__ appears twice") }
        sawMetadataKey = true
        switch value {
        case .null: return  // serde reads `null` as "no metadata"
        case let .object(entries):
            if let key = value.firstDuplicateKey { throw .invalidMetadata(path: path, reason: "key '\(key)' appears twice") }
            for entry in entries {
                guard case let .string(text) = entry.value else {
                    throw .invalidMetadata(path: path, reason: "value of '\(entry.key)' is \(entry.value.kindName), not a string")
                }
                metadata.append((entry.key, text))
            }
            hasMetadataBlock = true
        default:
            throw .invalidMetadata(path: path, reason: "__metadata__ is \(value.kindName), not an object of strings")
        }
    }

    /// The single value of `field` in a tensor entry (serde rejects duplicate fields).
    func field(_ field: String, of name: String, in entry: [OrderedJSON.Member]) throws(FormatError) -> OrderedJSON {
        let matches = entry.filter { $0.key == field }
        guard matches.count <= 1 else { throw .invalidHeader(path: path, reason: "tensor '\(name)': field '\(field)' appears twice") }
        guard let match = matches.first else { throw .invalidHeader(path: path, reason: "tensor '\(name)': missing field '\(field)'") }
        return match.value
    }

    mutating func readTensor(_ name: String, _ value: OrderedJSON) throws(FormatError) {
        guard names.insert(name).inserted else { throw .duplicateTensor(path: path, tensor: name) }
        guard case let .object(entry) = value else {
            throw .invalidHeader(path: path, reason: "tensor '\(name)': entry is \(value.kindName), not an object")
        }
        let dtypeValue = try field("dtype", of: name, in: entry)
        guard case let .string(dtypeName) = dtypeValue else {
            throw .invalidHeader(path: path, reason: "tensor '\(name)': dtype is \(dtypeValue.kindName), not a string")
        }
        guard let dtype = DType(rawValue: dtypeName) else { throw .unknownDType(path: path, tensor: name, dtype: dtypeName) }
        let shape = try readShape(try field("shape", of: name, in: entry), tensor: name, dtype: dtype)
        let (begin, end) = try readOffsets(try field("data_offsets", of: name, in: entry), tensor: name)
        let expected = UInt64(shape.elements) * UInt64(dtype.size)
        if end - begin != expected {
            throw .byteLengthMismatch(path: path, tensor: name, shape: shape.dims, dtype: dtypeName, expected: expected, actual: end - begin)
        }
        records.append(TensorRecord(name: name, dtype: dtype, shape: shape.dims,
                                    fileRange: (dataStart + begin)..<(dataStart + end), file: fileName))
        relative.append((begin, end))
    }

    func readShape(_ value: OrderedJSON, tensor: String, dtype: DType) throws(FormatError) -> (dims: [Int], elements: Int) {
        guard case let .array(items) = value else {
            throw .invalidShape(path: path, tensor: tensor, reason: "shape is \(value.kindName), not an array")
        }
        var dims: [Int] = []
        dims.reserveCapacity(items.count)
        var elements: UInt64 = 1
        for item in items {
            guard let dim = item.uint64Value else {
                if case let .number(text) = item, text.hasPrefix("-") {
                    throw .invalidShape(path: path, tensor: tensor, reason: "dimension \(text) is negative")
                }
                throw .invalidShape(path: path, tensor: tensor, reason: "dimension \(item.compactText) is not a non-negative integer")
            }
            guard dim <= UInt64(Int.max) else {
                throw .invalidShape(path: path, tensor: tensor, reason: "dimension \(dim) is too large")
            }
            let (product, overflow) = elements.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw .invalidShape(path: path, tensor: tensor, reason: "element count of \(items.map(\.compactText)) overflows 64 bits") }
            elements = product
            dims.append(Int(dim))
        }
        // Stricter than the reference: the non-zero dimensions must multiply within Int, so
        // nothing downstream overflows on e.g. [2^62, 2, 0] (which the reference accepts).
        guard CheckedMath.elementCount(dims) != nil else {
            throw .invalidShape(path: path, tensor: tensor, reason: "dimensions \(dims) multiply beyond \(Int.max) (a dimension is absurdly large)")
        }
        // The reference counts bits (elements × bitsize) in 64 bits; match its overflow point.
        guard !elements.multipliedReportingOverflow(by: UInt64(dtype.size * 8)).overflow else {
            throw .invalidShape(path: path, tensor: tensor, reason: "size in bits of \(dims) \(dtype.rawValue) overflows 64 bits")
        }
        return (dims, Int(elements))
    }

    func readOffsets(_ value: OrderedJSON, tensor: String) throws(FormatError) -> (UInt64, UInt64) {
        guard case let .array(items) = value, items.count == 2 else {
            throw .invalidOffsets(path: path, tensor: tensor, reason: "data_offsets must be an array of two integers, got \(value.compactText)")
        }
        guard let begin = items[0].uint64Value, let end = items[1].uint64Value else {
            throw .invalidOffsets(path: path, tensor: tensor, reason: "offsets \(value.compactText) are not non-negative integers")
        }
        guard begin <= end else { throw .invalidOffsets(path: path, tensor: tensor, reason: "begin \(begin) is after end \(end)") }
        guard end <= bufferSize else {
            throw .invalidOffsets(path: path, tensor: tensor, reason: "end \(end) is beyond the \(bufferSize)-byte data buffer")
        }
        return (begin, end)
    }

    /// Sorted by offset, the tensors must tile the data buffer exactly.
    func checkCoverage() throws(FormatError) {
        let order = relative.indices.sorted { (relative[$0].begin, relative[$0].end) < (relative[$1].begin, relative[$1].end) }
        var cursor: UInt64 = 0
        var previous: String? = nil
        for i in order {
            let (begin, end) = relative[i]
            if begin < cursor {
                throw .invalidOffsets(path: path, tensor: records[i].name,
                                      reason: "bytes \(begin)..<\(end) overlap tensor '\(previous ?? "")' which ends at \(cursor)")
            }
            if begin > cursor {
                throw .bufferNotCovered(path: path, reason: "bytes \(cursor)..<\(begin) (before tensor '\(records[i].name)') belong to no tensor")
            }
            cursor = end
            previous = records[i].name
        }
        if cursor != bufferSize {
            throw .bufferNotCovered(path: path, reason: "bytes \(cursor)..<\(bufferSize) at the end of the data buffer belong to no tensor")
        }
    }
}

extension OrderedJSON {
    /// "an object", "a string", … for error messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Compact JSON text, for error messages.
    var compactText: String { String(decoding: serialized(style: .serdeCompact), as: UTF8.self) }
}
