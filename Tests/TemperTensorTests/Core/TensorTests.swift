import Testing
@testable import TemperTensor

@Suite struct TensorTests {
    @Test func creationValidatesCounts() throws {
        let t = try Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        #expect(t.shape == [2, 2] && t.count == 4 && t.rank == 2 && t.isLeaf && !t.requiresGrad)
        #expect(throws: TensorError.countMismatch(op: "Tensor(shape:values:) [2, 2]", expected: 4, actual: 3)) {
            try Tensor(shape: [2, 2], values: [1, 2, 3])
        }
        #expect(throws: TensorError.self) { try Tensor.zeros([-1, 2]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([Int.max, 2]) }
        #expect(try Tensor.zeros([0, 5]).count == 0)
        #expect(Tensor(scalar: 3).shape == [])
        #expect(try Tensor.arange(4).toArray() == [0, 1, 2, 3])
        #expect(try Tensor.ones([2]).toArray() == [1, 1])
    }

    @Test func itemAssignDetachClone() throws {
        let t = try Tensor(shape: [3], values: [1, 2, 3], requiresGrad: true)
        #expect(throws: TensorError.self) { try t.item() }
        #expect(try Tensor(scalar: 7).item() == 7)
        let view = t.detach()
        #expect(!view.requiresGrad && view.storage === t.storage)
        let copy = t.clone()
        try t.assign(Tensor(shape: [3], values: [4, 5, 6]))
        #expect(view.toArray() == [4, 5, 6] && copy.toArray() == [1, 2, 3])
        #expect(throws: TensorError.shapeMismatch(op: "assign", lhs: [3], rhs: [2])) { try t.assign(Tensor.zeros([2])) }
        t.withUnsafeMutableBufferPointer { $0[0] = 9 }
        #expect(t.withUnsafeBufferPointer { $0[0] } == 9)
    }

    @Test func requiresGradOnlySettableOnLeaves() throws {
        let a = try Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let b = a * 2
        #expect(!b.isLeaf && b.requiresGrad)
        b.requiresGrad = false
        #expect(b.requiresGrad)
        let leaf = b.requiringGrad()
        #expect(leaf.isLeaf && leaf.requiresGrad && leaf.storage === b.storage)
        #expect(a.description.contains("requiresGrad"))
    }

    @Test func largeElementwiseWorkSplitsAcrossCoresCorrectly() throws {
        let n = 200_003
        let x = try Tensor(shape: [n], values: (0..<n).map { Float($0 % 101) / 50 - 1 })
        let y = try x.tanh() * x + x.exp()
        let values = x.toArray(), out = y.toArray()
        for i in stride(from: 0, to: n, by: 997) {
            #expect(Swift.abs(out[i] - (Foundation.tanh(values[i]) * values[i] + Foundation.exp(values[i]))) < 1e-5)
        }
    }
}

import Foundation
