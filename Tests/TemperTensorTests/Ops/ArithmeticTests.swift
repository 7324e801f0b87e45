import Testing
@testable import TemperTensor

@Suite struct ArithmeticTests {
    @Test func matchesTorchWithBroadcasting() throws {
        let ref = try TorchReference.load()
        try ref.check("add", inputs: ["a", "b"]) { try $0[0] + $0[1] }
        try ref.check("sub", inputs: ["a", "b"]) { try $0[0] - $0[1] }
        try ref.check("mul", inputs: ["a", "b"]) { try $0[0] * $0[1] }
        try ref.check("div", inputs: ["a", "b"]) { try $0[0] / $0[1] }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let pairs: [([Int], [Int])] = [([2, 3], [2, 3]), ([2, 3, 4], [4]), ([4, 1], [1, 3]), ([1], [3, 2]), ([2, 1, 3], [5, 1]), ([], [2, 2])]
        for (i, (sa, sb)) in pairs.enumerated() {
            let a = try randomTensor(sa, seed: UInt64(10 + i)), b = try randomTensor(sb, seed: UInt64(20 + i), positive: true)
            try checkGradients([a, b]) { try $0[0] + $0[1] }
            try checkGradients([a, b]) { try $0[0] - $0[1] }
            try checkGradients([a, b]) { try $0[0] * $0[1] }
            try checkGradients([a, b]) { try $0[0] / $0[1] }
        }
    }

    @Test func scalarOperators() throws {
        let x = try Tensor(shape: [3], values: [1, -2, 4])
        #expect((x + 1).toArray() == [2, -1, 5])
        #expect((2 - x).toArray() == [1, 4, -2])
        #expect((x * 3).toArray() == [3, -6, 12])
        #expect((8 / x).toArray() == [8, -4, 2])
        #expect((-x).toArray() == [-1, 2, -4])
        try checkGradients([try randomTensor([4], seed: 3, positive: true)]) { try 2 / $0[0] + 3 * ($0[0] - 1) }
    }

    @Test func incompatibleShapesThrowNamingBoth() throws {
        let a = try Tensor.zeros([2, 3]), b = try Tensor.zeros([4])
        #expect(throws: TensorError.shapeMismatch(op: "add", lhs: [2, 3], rhs: [4])) { try a + b }
    }

    @Test func broadcastResultShapes() throws {
        #expect(try Shape.broadcast([2, 1, 4], [3, 1], op: "t") == [2, 3, 4])
        #expect(try Shape.broadcast([], [5], op: "t") == [5])
        #expect(try Shape.broadcast([0, 1], [1, 3], op: "t") == [0, 3])
        #expect(throws: TensorError.self) { try Shape.broadcast([2], [3], op: "t") }
        let empty = try Tensor.zeros([0, 3]) + Tensor.ones([3])
        #expect(empty.shape == [0, 3] && empty.count == 0)
    }
}
