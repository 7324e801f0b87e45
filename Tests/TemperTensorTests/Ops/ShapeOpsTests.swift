import Testing
@testable import TemperTensor

@Suite struct ShapeOpsTests {
    @Test func matchesTorch() throws {
        let ref = try TorchReference.load()
        try ref.check("permute", inputs: ["x"]) { try $0[0].permute([2, 0, 1]) }
        try ref.check("transpose_02", inputs: ["x"]) { try $0[0].transpose(0, 2) }
        try ref.check("slice", inputs: ["x"]) { try $0[0].slice(axis: 1, 1..<4) }
        try ref.check("concat", inputs: ["a", "b", "c"]) { try concat($0, axis: 1) }
        let idx = try ref.ints("index_select.idx")
        try ref.check("index_select", inputs: ["x"]) { try $0[0].indexSelect(axis: 0, idx) }
        try ref.check("expand", inputs: ["x"]) { try $0[0].broadcast(to: [2, 3, 4]) }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let x = try randomTensor([2, 3, 4], seed: 21)
        try checkGradients([x]) { try $0[0].reshape([4, -1]).transpose() }
        try checkGradients([x]) { try $0[0].permute([1, 2, 0]) }
        try checkGradients([x]) { try $0[0].slice(axis: -1, 1..<3) }
        try checkGradients([x]) { try $0[0].split(axis: 1, sizes: [1, 2])[1] }
        try checkGradients([x, try randomTensor([2, 1, 4], seed: 22)]) { try concat([$0[0], $0[1], $0[0]], axis: 1) }
        try checkGradients([x]) { try $0[0].indexSelect(axis: 2, [3, 3, 0]) }
        try checkGradients([try randomTensor([3, 1], seed: 23)]) { try $0[0].broadcast(to: [2, 3, 5]) }
        try checkGradients([x]) { try $0[0].unsqueeze(1).squeeze(1).flatten(from: 1) }
        try checkGradients([x, try randomTensor([2, 3, 4], seed: 24)]) { try stack($0, axis: 1) }
    }

    @Test func reshapeIsAViewAndValidates() throws {
        let x = try Tensor(shape: [2, 3], values: [0, 1, 2, 3, 4, 5])
        let y = try x.reshape([3, -1])
        #expect(y.shape == [3, 2] && y.storage === x.storage)
        #expect(throws: TensorError.shapeMismatch(op: "reshape", lhs: [2, 3], rhs: [4, 2])) { try x.reshape([4, 2]) }
        #expect(throws: TensorError.self) { try x.reshape([-1, -1]) }
        #expect(throws: TensorError.self) { try x.reshape([-1, 4]) }
        #expect(try x.transpose().toArray() == [0, 3, 1, 4, 2, 5])
        #expect(try x.permute([1, 0]).toArray() == [0, 3, 1, 4, 2, 5])
        #expect(try x.flatten().shape == [6])
    }

    @Test func permutesLargerTensorsLikeAReference() throws {
        let shape = [3, 4, 5, 6]
        let x = try Tensor(shape: shape, values: (0..<360).map(Float.init))
        let y = try x.permute([2, 0, 3, 1])
        var expected: [Float] = []
        for c in 0..<5 { for a in 0..<3 { for d in 0..<6 { for b in 0..<4 { expected.append(Float(((a * 4 + b) * 5 + c) * 6 + d)) } } } }
        #expect(y.toArray() == expected)
    }

    @Test func zeroElementTensorsFlowThroughOps() throws {
        let empty = try Tensor(shape: [0, 3], values: [], requiresGrad: true)
        let w = try Tensor.ones([3], requiresGrad: true)
        let y = try (empty.rmsNorm(weight: w, eps: 1e-5).softmax() * 2).sum(axis: 0)
        #expect(y.shape == [3] && y.toArray() == [0, 0, 0])
        let grads = try gradients(of: try y.sum(), wrt: [empty, w])
        #expect(grads[0].count == 0 && grads[1].toArray() == [0, 0, 0])
        #expect(try stack([empty, empty]).shape == [2, 0, 3])
        let opt = AdamW(parameters: [empty])
        empty.grad = Tensor.zeros(like: empty)
        try opt.step()
    }

    @Test func invalidArgumentsThrow() throws {
        let x = try Tensor.zeros([2, 3])
        #expect(throws: TensorError.self) { try x.slice(axis: 1, 2..<4) }
        #expect(throws: TensorError.self) { try x.split(axis: 1, sizes: [1, 1]) }
        #expect(throws: TensorError.self) { try x.indexSelect(axis: 0, [2]) }
        #expect(throws: TensorError.self) { try x.indexSelect(axis: 0, [-1]) }
        #expect(throws: TensorError.self) { try x.permute([0, 0]) }
        #expect(throws: TensorError.self) { try concat([x, Tensor.zeros([3, 3])], axis: 1) }
        #expect(throws: TensorError.self) { try concat([], axis: 0) }
        #expect(throws: TensorError.self) { try stack([x, Tensor.zeros([3, 2])]) }
        #expect(throws: TensorError.self) { try x.broadcast(to: [3]) }
        #expect(throws: TensorError.self) { try x.squeeze(0) }
        #expect(throws: TensorError.self) { try x.chunk(2, axis: 1) }
        #expect(try x.chunk(3, axis: 1).count == 3)
    }
}
