import Foundation

/// An optimizer's resumable state: its kind, per-parameter step counts and named f32
/// arrays (moment buffers), with a small self-contained binary encoding. Writing the bytes
/// to disk is the caller's job (atomically, e.g. with TemperFormats' `AtomicFile`).
///
/// Encoding (little-endian): magic "TMPROPT1"; u32 kind length + UTF-8 kind; u64 step
/// count + i64 steps; u64 array count; per array: u32 name length + UTF-8 name, u32 rank,
/// i64 dims, f32 values (product of dims).
public struct OptimizerState: Sendable, Equatable {
    public struct NamedArray: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]
        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name; self.shape = shape; self.values = values
        }
    }

    public var kind: String
    public var steps: [Int]
    public var arrays: [NamedArray]

    public init(kind: String, steps: [Int], arrays: [NamedArray]) {
        self.kind = kind; self.steps = steps; self.arrays = arrays
    }

    static let magic = Array("TMPROPT1".utf8)

    public func serialized() -> Data {
        var out = Data(OptimizerState.magic)
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        func i64(_ v: Int) { withUnsafeBytes(of: Int64(v).littleEndian) { out.append(contentsOf: $0) } }
        u32(kind.utf8.count); out.append(contentsOf: kind.utf8)
        i64(steps.count); steps.forEach(i64)
        i64(arrays.count)
        for array in arrays {
            u32(array.name.utf8.count); out.append(contentsOf: array.name.utf8)
            u32(array.shape.count); array.shape.forEach(i64)
            for v in array.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        }
        return out
    }

    /// Parses `serialized()` output, rejecting truncated, oversized or inconsistent data.
    public init(serialized data: Data) throws {
        var reader = ByteReader(bytes: [UInt8](data))
        guard try reader.take(8) == OptimizerState.magic else { throw TensorError.invalidState(reason: "bad magic (not a Temper optimizer state)") }
        kind = try reader.string()
        let stepCount = try reader.count(elementSize: 8)
        steps = try (0..<stepCount).map { _ in try reader.int64() }
        let arrayCount = try reader.count(elementSize: 12)
        arrays = []
        for _ in 0..<arrayCount {
            let name = try reader.string()
            let rank = Int(try reader.uint32())
            guard rank <= 64 else { throw TensorError.invalidState(reason: "array \(name): rank \(rank)") }
            let shape = try (0..<rank).map { _ in try reader.int64() }
            let count: Int
            do { count = try Shape.checkedCount(shape, op: "optimizer state \(name)") } catch {
                throw TensorError.invalidState(reason: "array \(name): bad shape \(shape)")
            }
            guard count <= reader.remaining / 4 else {
                throw TensorError.invalidState(reason: "array \(name) \(shape) runs past the end (offset \(reader.offset))")
            }
            let values = try (0..<count).map { _ in Float(bitPattern: try reader.uint32()) }
            arrays.append(NamedArray(name: name, shape: shape, values: values))
        }
        guard reader.remaining == 0 else { throw TensorError.invalidState(reason: "\(reader.remaining) trailing bytes at offset \(reader.offset)") }
    }

    func check(kind expected: String, parameterCount: Int) throws {
        guard kind == expected else { throw TensorError.invalidState(reason: "state is for \(kind), not \(expected)") }
        guard steps.count == parameterCount else {
            throw TensorError.invalidState(reason: "state has \(steps.count) parameters, optimizer has \(parameterCount)")
        }
    }

    func array(_ name: String, shape: [Int]) throws -> [Float] {
        guard let array = arrays.first(where: { $0.name == name }) else { throw TensorError.invalidState(reason: "missing \(name)") }
        guard array.shape == shape, array.values.count == Shape.count(shape) else {
            throw TensorError.invalidState(reason: "\(name) has shape \(array.shape), parameter has \(shape)")
        }
        return array.values
    }
}

/// Bounds-checked little-endian reads.
private struct ByteReader {
    let bytes: [UInt8]
    var offset = 0
    var remaining: Int { bytes.count - offset }

    mutating func take(_ n: Int) throws -> [UInt8] {
        guard n >= 0, n <= remaining else { throw TensorError.invalidState(reason: "truncated at offset \(offset) (needed \(n) bytes)") }
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }

    mutating func uint32() throws -> UInt32 {
        try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func int64() throws -> Int {
        let raw = try take(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let value = Int64(bitPattern: raw)
        guard value >= 0 else { throw TensorError.invalidState(reason: "negative value \(value) at offset \(offset - 8)") }
        return Int(value)
    }

    /// A count of items each at least `elementSize` bytes, checked against what is left.
    mutating func count(elementSize: Int) throws -> Int {
        let n = try int64()
        guard n <= remaining / elementSize else { throw TensorError.invalidState(reason: "count \(n) at offset \(offset - 8) exceeds the data") }
        return n
    }

    mutating func string() throws -> String {
        let n = Int(try uint32())
        guard let s = String(bytes: try take(n), encoding: .utf8) else { throw TensorError.invalidState(reason: "invalid UTF-8 at offset \(offset - n)") }
        return s
    }
}
