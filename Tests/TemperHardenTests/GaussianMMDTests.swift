import Foundation
import Testing
import TemperTensor
@testable import TemperHarden

@Suite struct GaussianMMDTests {
    @Test func matchesTheReferenceWithGradient() throws {
        let reference = try HardenFixtures.reference()
        let x = try HardenFixtures.tensor("mmd_x").requiringGrad(), y = try HardenFixtures.tensor("mmd_y")
        let value = try GaussianMMD()(x, y)
        let mmd = Double(try value.item())
        let error = HardenFixtures.relative(mmd, reference.mmd)
        #expect(error < 1e-5, "MMD: Temper \(mmd), reference \(reference.mmd)")
        let grad = try #require(try gradients(of: value, wrt: [x]).first)
        let gradError = HardenFixtures.relative(grad, try HardenFixtures.tensor("mmd_grad_x"))
        print("MMD: relative error \(error), gradient \(gradError)")
        #expect(gradError < 1e-4)
    }

    /// A direct evaluation of the formula in Double, for a sample small enough to write out.
    @Test func smallSampleByHand() throws {
        let xs: [[Double]] = [[0, 1], [2, 0]], ys: [[Double]] = [[1, 1], [0, 3]]
        let all = xs + ys
        func d(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        var sum = 0.0
        for a in all { for b in all { sum += d(a, b) } }
        let b0 = sum / Double(all.count * all.count - all.count) / 4
        func k(_ a: [Double], _ b: [Double]) -> Double { (0..<5).reduce(0) { $0 + exp(-d(a, b) / (b0 * pow(2, Double($1)))) } }
        var expected = 0.0
        for i in 0..<2 { for j in 0..<2 { expected += k(xs[i], xs[j]) + k(ys[i], ys[j]) - k(xs[i], ys[j]) - k(ys[i], xs[j]) } }
        expected /= 4
        let value = try GaussianMMD()(try Tensor(shape: [2, 2], values: xs.flatMap { $0.map(Float.init) }),
                                      try Tensor(shape: [2, 2], values: ys.flatMap { $0.map(Float.init) }))
        #expect(abs(Double(try value.item()) - expected) < 1e-6)
    }

    @Test func identicalSamplesGiveZeroAndBadShapesThrow() throws {
        let x = try Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 7])
        #expect(abs(try GaussianMMD()(x, x).item()) < 1e-6)
        #expect(throws: HardenError.self) { _ = try GaussianMMD()(x, try Tensor.zeros([2, 2])) }
        // No spread at all: the bandwidth would be 0.
        #expect(throws: HardenError.self) { _ = try GaussianMMD()(try Tensor.zeros([2, 3]), try Tensor.zeros([2, 3])) }
    }
}
