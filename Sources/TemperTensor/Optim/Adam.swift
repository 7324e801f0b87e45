import CTemperKernels
import Foundation

/// Adam (L2 weight decay added to the gradient), as `torch.optim.Adam` on CPU.
public final class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Double
    let core: AdamCore

    public init(parameters: [Tensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        core = AdamCore(count: parameters.count, betas: betas, eps: eps, weightDecay: weightDecay, decoupled: false)
    }

    public func step() throws { try core.step(self) }
    public func state() -> OptimizerState { core.state(kind: "adam", parameters) }
    public func load(_ state: OptimizerState) throws { try core.load(state, kind: "adam", parameters) }
}

/// AdamW (decoupled weight decay), as `torch.optim.AdamW` on CPU (`_single_tensor_adam`).
public final class AdamW: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Double
    let core: AdamCore

    public init(parameters: [Tensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 1e-2) {
        self.parameters = parameters
        self.learningRate = learningRate
        core = AdamCore(count: parameters.count, betas: betas, eps: eps, weightDecay: weightDecay, decoupled: true)
    }

    public func step() throws { try core.step(self) }
    public func state() -> OptimizerState { core.state(kind: "adamw", parameters) }
    public func load(_ state: OptimizerState) throws { try core.load(state, kind: "adamw", parameters) }
}

/// The shared update. Scalars are formed in Double and rounded to Float where PyTorch
/// passes a Python float into an f32 kernel; operation order follows PyTorch's kernels
/// (lerp with fused multiply-add, addcmul and addcdiv as value·t1·t2 and value·t1/t2).
final class AdamCore {
    let beta1: Double, beta2: Double, eps: Double, weightDecay: Double, decoupled: Bool
    var steps: [Int]
    var expAvg: MomentBuffers
    var expAvgSq: MomentBuffers

    init(count: Int, betas: (Double, Double), eps: Double, weightDecay: Double, decoupled: Bool) {
        (beta1, beta2) = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        steps = Array(repeating: 0, count: count)
        expAvg = MomentBuffers(count: count)
        expAvgSq = MomentBuffers(count: count)
    }

    func step(_ optimizer: some Optimizer) throws {
        let lr = optimizer.learningRate
        for (i, p) in optimizer.parameters.enumerated() {
            guard var g = try optimizer.gradient(i) else { continue }
            steps[i] += 1
            let n = p.count, param = p.pointer
            // Decoupled decay is applied per element inside the update loop below (same
            // arithmetic as a separate pass, one sweep over memory instead of two).
            let decay: Float = weightDecay != 0 && decoupled ? Float(1 - lr * weightDecay) : 1
            if weightDecay != 0 && !decoupled {
                g = try noGrad { try g + p * Float(weightDecay) }
            }
            let grad = g.pointer
            let weight = Float(1 - beta1), b2 = Float(beta2), oneMinusB2 = Float(1 - beta2)
            let step = Double(steps[i])
            let stepSize = lr / (1 - Foundation.pow(beta1, step))
            let bc2Sqrt = Float((1 - Foundation.pow(beta2, step)).squareRoot())
            let negStep = Float(-stepSize), epsF = Float(eps)
            expAvg.withBuffer(i, count: n) { m, _ in
                expAvgSq.withBuffer(i, count: n) { v, _ in
                    // CTemperKernels: the fused update, 8 or 16 lanes wide (fma exact on every path).
                    Parallel.chunks(n, cost: 8) { range in
                        let o = range.lowerBound
                        temper_adam_update_f32(param + o, grad + o, m + o, v + o, range.count, decay, weight, weight < 0.5 ? 1 : 0,
                                               b2, oneMinusB2, negStep, bc2Sqrt, epsF, UnaryKernels.simd)
                    }
                }
            }
        }
    }

    func state(kind: String, _ parameters: [Tensor]) -> OptimizerState {
        var arrays: [OptimizerState.NamedArray] = []
        for (i, p) in parameters.enumerated() {
            if let m = expAvg.buffers[i] { arrays.append(.init(name: "exp_avg.\(i)", shape: p.shape, values: m)) }
            if let v = expAvgSq.buffers[i] { arrays.append(.init(name: "exp_avg_sq.\(i)", shape: p.shape, values: v)) }
        }
        return OptimizerState(kind: kind, steps: steps, arrays: arrays)
    }

    func load(_ state: OptimizerState, kind: String, _ parameters: [Tensor]) throws {
        try state.check(kind: kind, parameterCount: parameters.count)
        var m = MomentBuffers(count: parameters.count), v = MomentBuffers(count: parameters.count)
        for (i, p) in parameters.enumerated() where state.steps[i] > 0 {
            m.buffers[i] = try state.array("exp_avg.\(i)", shape: p.shape)
            v.buffers[i] = try state.array("exp_avg_sq.\(i)", shape: p.shape)
        }
        steps = state.steps
        expAvg = m
        expAvgSq = v
    }
}
