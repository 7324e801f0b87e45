import Testing
@testable import TemperTensor

/// The fixture problem: W [4, 3], b [3], loss = mean((X·W + b − Y)²), 20 steps.
struct OptimizerProblem {
    let x: Tensor, y: Tensor, w: Tensor, b: Tensor

    init(_ ref: TorchReference) throws {
        x = try ref.tensor("opt.X"); y = try ref.tensor("opt.Y")
        w = try ref.tensor("opt.W0").requiringGrad(); b = try ref.tensor("opt.B0").requiringGrad()
    }

    /// Runs `steps` optimizer steps; returns [W, b] flattened after each.
    func run(_ optimizer: some Optimizer, steps: Int = 20) throws -> [[Float]] {
        try (0..<steps).map { _ in
            optimizer.zeroGrad()
            try mseLoss(try x.matmul(w) + b, y).backward()
            try optimizer.step()
            return w.toArray() + b.toArray()
        }
    }

    func compare(_ history: [[Float]], _ ref: TorchReference, _ name: String, rtol: Float, atol: Float = 1e-7) throws {
        let expected = try ref.floats("opt.\(name)")
        expectClose(history.flatMap { $0 }, expected, rtol: rtol, atol: atol, name)
    }
}

@Suite struct AdamTests {
    @Test func adamWMatchesTorchOver20Steps() throws {
        let ref = try TorchReference.load()
        let problem = try OptimizerProblem(ref)
        let opt = AdamW(parameters: [problem.w, problem.b], learningRate: 1e-2, weightDecay: 0.1)
        try problem.compare(try problem.run(opt), ref, "adamw", rtol: 1e-6)
    }

    @Test func adamWithL2DecayMatchesTorch() throws {
        let ref = try TorchReference.load()
        let problem = try OptimizerProblem(ref)
        let opt = Adam(parameters: [problem.w, problem.b], learningRate: 1e-2, betas: (0.8, 0.99), eps: 1e-6, weightDecay: 0.05)
        try problem.compare(try problem.run(opt), ref, "adam_l2", rtol: 1e-6)
    }

    @Test func stateRoundTripResumesIdentically() throws {
        let ref = try TorchReference.load()
        let a = try OptimizerProblem(ref), b = try OptimizerProblem(ref)
        let optA = AdamW(parameters: [a.w, a.b], learningRate: 1e-2)
        let full = try a.run(optA, steps: 8)
        let optB = AdamW(parameters: [b.w, b.b], learningRate: 1e-2)
        _ = try b.run(optB, steps: 5)
        let saved = try OptimizerState(serialized: optB.state().serialized())
        let resumed = AdamW(parameters: [b.w, b.b], learningRate: 1e-2)
        try resumed.load(saved)
        let rest = try b.run(resumed, steps: 3)
        #expect(rest == Array(full.suffix(3)))
        #expect(throws: TensorError.self) { try Adam(parameters: [b.w, b.b]).load(saved) }
        #expect(throws: TensorError.self) { try AdamW(parameters: [b.w]).load(saved) }
    }

    @Test func parametersWithoutGradientsAreSkippedAndGradShapesChecked() throws {
        let p = try Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let q = try Tensor(shape: [1], values: [5], requiresGrad: true)
        let opt = AdamW(parameters: [p, q], learningRate: 0.1)
        p.grad = try Tensor(shape: [2], values: [1, -1])
        try opt.step()
        #expect(q.toArray() == [5] && p.toArray() != [1, 2])
        #expect(opt.state().steps == [1, 0])
        q.grad = try Tensor.zeros([3])
        #expect(throws: TensorError.self) { try opt.step() }
    }
}
