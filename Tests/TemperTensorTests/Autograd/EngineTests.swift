import Testing
@testable import TemperTensor

@Suite struct EngineTests {
    @Test func backwardAccumulatesIntoLeavesAcrossCalls() throws {
        let w = try Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let c = try Tensor(shape: [2], values: [3, 4])
        try (w * c).sum().backward()
        #expect(w.grad?.toArray() == [3, 4] && c.grad == nil)
        try (w * w).sum().backward()
        #expect(w.grad?.toArray() == [5, 8])
        let opt = SGD(parameters: [w], learningRate: 0.1)
        opt.zeroGrad()
        #expect(w.grad == nil)
    }

    @Test func fanOutSumsGradients() throws {
        let x = try Tensor(shape: [3], values: [1, 2, 3], requiresGrad: true)
        let y = try x + x * x                   // dy/dx = 1 + 2x
        let z = try (y * y.exp()).sum()          // used twice again
        let g = try gradients(of: z, wrt: [x])[0].toArray()
        let xs: [Float] = [1, 2, 3]
        let expected = xs.map { v -> Float in let y = v + v * v; return (Foundation.exp(y) * (1 + y)) * (1 + 2 * v) }
        expectClose(g, expected, rtol: 1e-5, atol: 0, "fan-out")
        #expect(x.grad == nil) // gradients(of:wrt:) leaves .grad alone
    }

    @Test func gradientsWithRespectToActivationsAndPerturbations() throws {
        let w = try randomTensor([3, 3], seed: 1).requiringGrad()
        let x = try randomTensor([2, 3], seed: 2)
        let delta = try Tensor.zeros([2, 3], requiresGrad: true) // LAT-style perturbation of the residual stream
        let h = try linear(x, weight: w)
        let perturbed = try h + delta
        let loss = try perturbed.tanh().square().sum()
        let grads = try gradients(of: loss, wrt: [h, delta, w])
        // ∂L/∂h = ∂L/∂δ because h and δ enter through the same sum.
        #expect(grads[0].toArray() == grads[1].toArray())
        let expected = try noGrad { try (perturbed.tanh() * (1 - perturbed.tanh().square())) * 2 }
        expectClose(grads[1].toArray(), expected.toArray(), rtol: 1e-5, atol: 1e-6, "∂L/∂δ")
        #expect(grads[2].shape == [3, 3])
    }

    @Test func onlyTheNeededSubgraphIsDifferentiated() throws {
        let a = try Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let b = try Tensor(shape: [2], values: [3, 4], requiresGrad: true)
        let unused = try Tensor(shape: [2], values: [0, 0], requiresGrad: true)
        let loss = try (a * b).sum()
        let grads = try gradients(of: loss, wrt: [a, unused])
        #expect(grads[0].toArray() == [3, 4] && grads[1].toArray() == [0, 0])
        #expect(b.grad == nil)
    }

    @Test func noGradDetachAndTaskIsolation() async throws {
        let x = try Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let y = noGrad { x * 2 }
        #expect(!y.requiresGrad && y.isLeaf)
        #expect(!(x.detach() * 2).requiresGrad)
        #expect(withGrad { (x * 2).requiresGrad })
        #expect(noGrad { withGrad { (x * 2).requiresGrad } })
        let inherited = await noGrad { await Task { GradMode.isEnabled }.value }
        let detached = await noGrad { await Task.detached { GradMode.isEnabled }.value }
        #expect(!inherited && detached && GradMode.isEnabled)
    }

    @Test func errorsForMissingGraphOrBadSeeds() throws {
        let x = try Tensor(shape: [2], values: [1, 2])
        #expect(throws: TensorError.self) { try x.sum().backward() }
        let p = try Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        #expect(throws: TensorError.self) { try (p * 2).backward() }
        #expect(throws: TensorError.self) { try gradients(of: (p * 2).sum(), wrt: [x]) }
        #expect(throws: TensorError.self) { try (p * 2).backward(seed: Tensor.zeros([3])) }
        try (p * 3).backward(seed: Tensor(shape: [2], values: [1, -1]))
        #expect(p.grad?.toArray() == [3, -3])
    }

    @Test func valueWithGradientsAndDeepChains() throws {
        let x = try Tensor(shape: [1], values: [0.5], requiresGrad: true)
        let (value, grads) = try valueWithGradients(wrt: [x]) { x.square() * 3 }
        #expect(value.toArray() == [0.75] && grads[0].toArray() == [3])
        // 100,000 chained ops: traversal and teardown are iterative, so no stack overflow.
        var y = x
        for _ in 0..<100_000 { y = y * 1.0 }
        #expect(try gradients(of: y.sum(), wrt: [x])[0].toArray() == [1])
        y = x
    }
}

import Foundation
