import Testing
@testable import TemperTensor

@Suite struct DistancesTests {
    @Test func matchesTorch() throws {
        let ref = try TorchReference.load()
        try ref.check("sqdist", inputs: ["x", "y"], rtol: 1e-5, atol: 1e-5) { try squaredDistances($0[0], $0[1]) }
        try ref.check("gaussian_kernel", inputs: ["x", "y"], rtol: 1e-5, atol: 1e-6) { (try squaredDistances($0[0], $0[1]) * (-1 / 2.5)).exp() }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let x = try randomTensor([3, 2], seed: 91), y = try randomTensor([4, 2], seed: 92)
        try checkGradients([x, y]) { try squaredDistances($0[0], $0[1]) }
        try checkGradients([x]) { try squaredDistances($0[0], $0[0]) }
        // A biased MMD estimate with a detached bandwidth, as RepNoise uses it.
        let bandwidth = try noGrad { try squaredDistances(concat([x, y], axis: 0), concat([x, y], axis: 0)).mean().item() }
        try checkGradients([x, y]) { inputs in
            let joint = try concat(inputs, axis: 0)
            let d = try squaredDistances(joint, joint)
            var k = try Tensor.zeros(d.shape)
            for i in 0..<5 { k = try k + (d * (-1 / (bandwidth * Float(1 << i) / 4))).exp() }
            let xx = try k.slice(axis: 0, 0..<3).slice(axis: 1, 0..<3).mean()
            let yy = try k.slice(axis: 0, 3..<7).slice(axis: 1, 3..<7).mean()
            let xy = try k.slice(axis: 0, 0..<3).slice(axis: 1, 3..<7).mean()
            return try xx + yy - xy * 2
        }
    }

    @Test func identicalPointsGiveZeroNotNegative() throws {
        let x = try Tensor(shape: [2, 3], values: [1e3, 2e3, -3e3, 0.1, 0.2, 0.3])
        let d = try squaredDistances(x, x).toArray()
        #expect(d[0] >= 0 && d[3] >= 0 && d[0] < 1 && d[3] < 1e-6)
        #expect(throws: TensorError.self) { try squaredDistances(x, Tensor.zeros([2, 2])) }
    }
}
