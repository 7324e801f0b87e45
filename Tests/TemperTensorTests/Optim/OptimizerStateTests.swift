import Foundation
import Testing
@testable import TemperTensor

@Suite struct OptimizerStateTests {
    let state = OptimizerState(kind: "adamw", steps: [3, 0], arrays: [
        .init(name: "exp_avg.0", shape: [2], values: [1, -2]), .init(name: "exp_avg_sq.0", shape: [2, 1], values: [0.5, 4]),
    ])

    @Test func roundTrip() throws {
        #expect(try OptimizerState(serialized: state.serialized()) == state)
    }

    @Test func corruptDataIsRejected() throws {
        let bytes = [UInt8](state.serialized())
        for cut in [0, 5, 8, 20, bytes.count - 1] {
            #expect(throws: TensorError.self) { try OptimizerState(serialized: Data(bytes.prefix(cut))) }
        }
        #expect(throws: TensorError.self) { try OptimizerState(serialized: Data(bytes + [0])) }
        var badMagic = bytes
        badMagic[0] = 0x41
        #expect(throws: TensorError.self) { try OptimizerState(serialized: Data(badMagic)) }
        var hugeCount = bytes
        let stepsOffset = 8 + 4 + 5
        for i in 0..<8 { hugeCount[stepsOffset + i] = 0x7F }
        #expect(throws: TensorError.self) { try OptimizerState(serialized: Data(hugeCount)) }
    }

    @Test func loadChecksShapes() throws {
        let p = try Tensor.zeros([3], requiresGrad: true), q = try Tensor.zeros([1], requiresGrad: true)
        #expect(throws: TensorError.invalidState(reason: "exp_avg.0 has shape [2], parameter has [3]")) {
            try AdamW(parameters: [p, q]).load(state)
        }
    }
}
