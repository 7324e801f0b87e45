import Testing
@testable import TemperTensor

@Suite struct SGDTests {
    @Test func nesterovAndDampenedMomentumMatchTorch() throws {
        let ref = try TorchReference.load()
        let a = try OptimizerProblem(ref)
        try a.compare(try a.run(SGD(parameters: [a.w, a.b], learningRate: 5e-2, momentum: 0.9, weightDecay: 0.01, nesterov: true)),
                      ref, "sgd_nesterov", rtol: 1e-5, atol: 1e-6)
        let b = try OptimizerProblem(ref)
        try b.compare(try b.run(SGD(parameters: [b.w, b.b], learningRate: 5e-2, momentum: 0.8, dampening: 0.3)),
                      ref, "sgd_dampened", rtol: 1e-5, atol: 1e-6)
    }

    @Test func plainStepAndStateRoundTrip() throws {
        let p = try Tensor(shape: [2], values: [1, 1], requiresGrad: true)
        let opt = SGD(parameters: [p], learningRate: 0.5, momentum: 0.5)
        p.grad = try Tensor(shape: [2], values: [1, 2])
        try opt.step()
        #expect(p.toArray() == [0.5, 0])
        let state = opt.state()
        let other = SGD(parameters: [p], learningRate: 0.5, momentum: 0.5)
        try other.load(try OptimizerState(serialized: state.serialized()))
        try other.step()
        #expect(p.toArray() == [-0.25, -1.5])
    }
}
