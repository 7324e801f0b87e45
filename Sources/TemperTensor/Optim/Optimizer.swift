/// What every optimizer offers. Parameters are leaf tensors updated in place; `step()`
/// skips parameters whose `.grad` is nil (as PyTorch does).
public protocol Optimizer: AnyObject {
    var parameters: [Tensor] { get }
    /// Current learning rate (set it from an `LRSchedule` before each step).
    var learningRate: Double { get set }
    func step() throws
    /// Moment buffers and step counts, for saving and resuming.
    func state() -> OptimizerState
    /// Restores `state()` output; throws when it does not fit these parameters.
    func load(_ state: OptimizerState) throws
}

extension Optimizer {
    /// Drops every parameter's gradient (PyTorch `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for p in parameters { p.grad = nil }
    }

    /// The gradient of parameter `index`, checked against its shape.
    func gradient(_ index: Int) throws -> Tensor? {
        let p = parameters[index]
        guard let g = p.grad else { return nil }
        guard g.shape == p.shape else { throw TensorError.shapeMismatch(op: "optimizer step (parameter \(index) vs grad)", lhs: p.shape, rhs: g.shape) }
        return g
    }
}

/// Per-parameter buffers a stateful optimizer keeps, as plain named arrays.
struct MomentBuffers {
    var buffers: [[Float]?]
    init(count: Int) { buffers = Array(repeating: nil, count: count) }

    /// The buffer of parameter `i`, created as zeros of `count` elements on first use.
    /// `body` is not called for empty parameters.
    mutating func withBuffer(_ i: Int, count: Int, _ body: (UnsafeMutablePointer<Float>, _ fresh: Bool) -> Void) {
        let fresh = buffers[i] == nil
        var buffer = buffers[i] ?? [Float](repeating: 0, count: count)
        buffers[i] = nil // keep `buffer` uniquely referenced: no copy on write
        buffer.withUnsafeMutableBufferPointer { if let base = $0.baseAddress, count > 0 { body(base, fresh) } }
        buffers[i] = buffer
    }
}
