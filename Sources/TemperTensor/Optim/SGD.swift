/// Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay,
/// as `torch.optim.SGD`.
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Double
    public let momentum: Double, dampening: Double, weightDecay: Double, nesterov: Bool
    var momentumBuffers: MomentBuffers
    var steps: [Int]

    public init(parameters: [Tensor], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        momentumBuffers = MomentBuffers(count: parameters.count)
        steps = Array(repeating: 0, count: parameters.count)
    }

    public func step() throws {
        let negLR = Float(-learningRate), mu = Float(momentum), keep = Float(1 - dampening), wd = Float(weightDecay)
        for (i, p) in parameters.enumerated() {
            guard let g = try gradient(i) else { continue }
            steps[i] += 1
            let n = p.count, param = p.pointer, grad = g.pointer
            if momentum == 0 {
                for j in 0..<n { param[j] += negLR * (wd == 0 ? grad[j] : grad[j] + wd * param[j]) }
                continue
            }
            momentumBuffers.withBuffer(i, count: n) { buf, fresh in
                for j in 0..<n {
                    let d = wd == 0 ? grad[j] : grad[j] + wd * param[j]
                    buf[j] = fresh ? d : buf[j] * mu + keep * d
                    param[j] += negLR * (nesterov ? d + mu * buf[j] : buf[j])
                }
            }
        }
    }

    public func state() -> OptimizerState {
        let arrays = parameters.indices.compactMap { i in
            momentumBuffers.buffers[i].map { OptimizerState.NamedArray(name: "momentum_buffer.\(i)", shape: parameters[i].shape, values: $0) }
        }
        return OptimizerState(kind: "sgd", steps: steps, arrays: arrays)
    }

    public func load(_ state: OptimizerState) throws {
        try state.check(kind: "sgd", parameterCount: parameters.count)
        var buffers = MomentBuffers(count: parameters.count)
        for (i, p) in parameters.enumerated() where momentum != 0 && state.steps[i] > 0 {
            buffers.buffers[i] = try state.array("momentum_buffer.\(i)", shape: p.shape)
        }
        momentumBuffers = buffers
        steps = state.steps
    }
}
