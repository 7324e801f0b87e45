/// Softmax and log-softmax along an axis (the kernel works on the last axis; other axes
/// go through a transpose).
extension Tensor {
    public func softmax(axis: Int = -1) throws -> Tensor { try softmaxLike(axis: axis, log: false) }
    public func logSoftmax(axis: Int = -1) throws -> Tensor { try softmaxLike(axis: axis, log: true) }

    private func softmaxLike(axis: Int, log: Bool) throws -> Tensor {
        let name = log ? "logSoftmax" : "softmax"
        guard rank > 0 else { throw TensorError.invalidShape(op: name, shape: shape, reason: "scalar has no axis") }
        let a = try Shape.axis(axis, rank: rank, op: name)
        if a != rank - 1 {
            return try transpose(a, -1).softmaxLike(axis: -1, log: log).transpose(a, -1)
        }
        let n = shape[a]
        let out = Tensor.empty(shape)
        SoftmaxKernels.forward(pointer, out.pointer, rows: n == 0 ? 0 : count / n, n: n, log: log)
        return Tensor.record(log ? .logSoftmax : .softmax, out, inputs: [self], saved: [out])
    }
}
