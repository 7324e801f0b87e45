import Foundation
import Testing
@testable import TemperTensor

/// Reads Fixtures/tensor/torch_reference.safetensors (made by make_torch_reference.py) with
/// a minimal safetensors parser (F32, F64 and I64 only), and runs reference cases.
struct TorchReference {
    struct Array { var shape: [Int]; var values: [Double]; var int64: [Int64] = [] }
    let arrays: [String: Array]

    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tensor/torch_reference.safetensors")

    static func load() throws -> TorchReference {
        let data = [UInt8](try Data(contentsOf: url))
        let headerLength = Int(data[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let header = try #require(try JSONSerialization.jsonObject(with: Data(data[8..<(8 + headerLength)])) as? [String: Any])
        var arrays: [String: Array] = [:]
        let base = 8 + headerLength
        for (name, info) in header where name != "__metadata__" {
            let entry = try #require(info as? [String: Any])
            let dtype = try #require(entry["dtype"] as? String)
            let shape = try #require(entry["shape"] as? [Int])
            let offsets = try #require(entry["data_offsets"] as? [Int])
            let bytes = Swift.Array(data[(base + offsets[0])..<(base + offsets[1])])
            let values: [Double] = bytes.withUnsafeBytes { raw in
                switch dtype {
                case "F32": return (0..<(bytes.count / 4)).map { Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
                case "F64": return (0..<(bytes.count / 8)).map { Double(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) }
                default: return (0..<(bytes.count / 8)).map { Double(raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
                }
            }
            let exact: [Int64] = dtype != "I64" ? [] : bytes.withUnsafeBytes { raw in
                (0..<(bytes.count / 8)).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self) }
            }
            arrays[name] = Array(shape: shape, values: values, int64: exact)
        }
        return TorchReference(arrays: arrays)
    }

    func array(_ name: String) throws -> Array { try #require(arrays[name], "missing fixture array \(name)") }
    func tensor(_ name: String) throws -> Tensor {
        let a = try array(name)
        return try Tensor(shape: a.shape, values: a.values.map(Float.init))
    }
    func ints(_ name: String) throws -> [Int] { try array(name).values.map { Int($0) } }
    func floats(_ name: String) throws -> [Float] { try array(name).values.map(Float.init) }

    /// Loads `<name>.<key>` inputs, runs `f`, and compares the output and the gradients of
    /// sum(out ⊙ proj) with PyTorch's.
    func check(_ name: String, inputs keys: [String], rtol: Float = 1e-4, atol: Float = 1e-5,
               sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) throws -> Tensor) throws {
        let inputs = try keys.map { try tensor("\(name).\($0)").requiringGrad() }
        let out = try f(inputs)
        let expected = try array("\(name).out")
        #expect(out.shape == expected.shape, "\(name): shape \(out.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
        expectClose(out.toArray(), expected.values.map(Float.init), rtol: rtol, atol: atol, "\(name).out", sourceLocation)
        let loss = try (out * tensor("\(name).proj")).sum()
        let grads = try gradients(of: loss, wrt: inputs)
        for (key, grad) in zip(keys, grads) {
            expectClose(grad.toArray(), try floats("\(name).grad.\(key)"), rtol: rtol, atol: atol, "\(name).grad.\(key)", sourceLocation)
        }
    }
}

/// Records an issue naming the worst element when |a − e| > atol + rtol·|e| anywhere.
func expectClose(_ actual: [Float], _ expected: [Float], rtol: Float, atol: Float, _ label: String,
                 _ sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(label): \(actual.count) values vs \(expected.count) expected", sourceLocation: sourceLocation)
        return
    }
    var worst = (index: -1, excess: Float(0))
    for i in actual.indices {
        let (a, e) = (actual[i], expected[i])
        if a == e { continue } // also equal infinities
        let excess = Swift.abs(a - e) - (atol + rtol * Swift.abs(e))
        if !(excess <= 0), worst.index < 0 || excess > worst.excess || excess.isNaN { worst = (i, excess) }
    }
    if worst.index >= 0 {
        Issue.record("\(label)[\(worst.index)]: \(actual[worst.index]) vs expected \(expected[worst.index]) (rtol \(rtol), atol \(atol))",
                     sourceLocation: sourceLocation)
    }
}
