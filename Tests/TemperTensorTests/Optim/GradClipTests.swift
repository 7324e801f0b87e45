import Testing
@testable import TemperTensor

@Suite struct GradClipTests {
    @Test func matchesTorchClipGradNorm() throws {
        let ref = try TorchReference.load()
        let p1 = try Tensor.zeros([3, 4], requiresGrad: true), p2 = try Tensor.zeros([5], requiresGrad: true)
        p1.grad = try ref.tensor("clip.g1")
        p2.grad = try ref.tensor("clip.g2")
        let shared = p1.grad
        let total = clipGradNorm([p1, p2], maxNorm: 1)
        expectClose([total], try ref.floats("clip.total"), rtol: 1e-6, atol: 0, "total norm")
        expectClose(try #require(p1.grad).toArray(), try ref.floats("clip.g1_clipped"), rtol: 1e-6, atol: 1e-7, "g1")
        expectClose(try #require(p2.grad).toArray(), try ref.floats("clip.g2_clipped"), rtol: 1e-6, atol: 1e-7, "g2")
        #expect(shared?.toArray() == (try ref.floats("clip.g1")), "clipping must not edit gradient tensors in place")
    }

    @Test func smallGradientsAreUntouched() throws {
        let p = try Tensor.zeros([2], requiresGrad: true)
        p.grad = try Tensor(shape: [2], values: [0.3, 0.4])
        #expect(clipGradNorm([p, try Tensor.zeros([1])], maxNorm: 1) == 0.5)
        #expect(p.grad?.toArray() == [0.3, 0.4])
    }
}
