/// TemperTensor: f32 tensors with reverse-mode autograd on OpenBLAS.
///
/// Error design: every op whose arguments can disagree — shapes, axes, indices, lengths of
/// index arrays — is `throws` and reports a `TensorError` naming the op and the shapes.
/// Elementwise unary ops and tensor-scalar arithmetic cannot fail and do not throw. No op
/// traps on data; the only traps left are Swift's own (out of memory).
///
/// Memory model: a `Tensor` is a reference to contiguous row-major storage plus a shape.
/// `reshape` and `detach` are views sharing storage; every other op returns new storage.
/// Tensors are treated as immutable values; the exceptions are in-place parameter updates
/// (`assign`, `withUnsafeMutableBufferPointer`, optimizers), which bypass autograd.
///
/// Autograd: a leaf created with `requiresGrad = true` is a parameter (or any tensor you
/// want gradients for, such as a perturbation added to activations). Ops on tensors that
/// require grad record a `Node` (op, inputs, saved values) while grad mode is on (see
/// `noGrad`). `backward()` accumulates into `.grad` of leaves; `gradients(of:wrt:)` returns
/// gradients with respect to any tensors of the graph, leaves or activations. Gradients are
/// first order (backward rules run under `noGrad`).
///
/// Threads: one pool (`Parallel`, TEMPER_NUM_THREADS) splits large elementwise loops, rows
/// and matrix-product blocks; OpenBLAS runs single-threaded per call (see `BLAS`). A `Tensor`
/// is not `Sendable`: use it from one task at a time.
public final class Tensor {
    /// Dimensions, outermost first. `[]` is a scalar holding one element.
    public let shape: [Int]
    let storage: TensorStorage
    /// The op that produced this tensor, when it was recorded for autograd.
    let node: Node?
    private var leafRequiresGrad: Bool
    /// Accumulated gradient of a leaf after `backward()`; `nil` until then. Never mutated in
    /// place by the library: accumulation and clipping assign new tensors.
    public var grad: Tensor?

    init(storage: TensorStorage, shape: [Int], node: Node? = nil) {
        self.storage = storage
        self.shape = shape
        self.node = node
        self.leafRequiresGrad = false
    }

    /// Whether gradients flow to this tensor. Settable on leaves; a tensor produced by a
    /// recorded op always requires grad (setting it there is ignored).
    public var requiresGrad: Bool {
        get { node != nil || leafRequiresGrad }
        set { if node == nil { leafRequiresGrad = newValue } }
    }

    /// True when the tensor was not produced by a recorded op.
    public var isLeaf: Bool { node == nil }
    public var rank: Int { shape.count }
    public var count: Int { storage.count }

    // MARK: creation

    /// A tensor holding `values` in row-major order.
    public convenience init(shape: [Int], values: [Float], requiresGrad: Bool = false) throws {
        let count = try Shape.checkedCount(shape, op: "Tensor(shape:values:)")
        guard values.count == count else {
            throw TensorError.countMismatch(op: "Tensor(shape:values:) \(shape)", expected: count, actual: values.count)
        }
        let storage = TensorStorage(uninitializedCount: count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress, count > 0 { storage.pointer.update(from: base, count: count) }
        }
        self.init(storage: storage, shape: shape)
        self.requiresGrad = requiresGrad
    }

    /// A tensor of `shape` filled with `value`.
    public convenience init(shape: [Int], repeating value: Float, requiresGrad: Bool = false) throws {
        let count = try Shape.checkedCount(shape, op: "Tensor(shape:repeating:)")
        self.init(storage: TensorStorage(repeating: value, count: count), shape: shape)
        self.requiresGrad = requiresGrad
    }

    /// A rank-0 tensor.
    public convenience init(scalar value: Float, requiresGrad: Bool = false) {
        self.init(storage: TensorStorage(repeating: value, count: 1), shape: [])
        self.requiresGrad = requiresGrad
    }

    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) throws -> Tensor {
        try Tensor(shape: shape, repeating: 0, requiresGrad: requiresGrad)
    }

    public static func ones(_ shape: [Int], requiresGrad: Bool = false) throws -> Tensor {
        try Tensor(shape: shape, repeating: 1, requiresGrad: requiresGrad)
    }

    /// Zeros shaped like `other` (no grad).
    public static func zeros(like other: Tensor) -> Tensor {
        Tensor(storage: TensorStorage(repeating: 0, count: other.count), shape: other.shape)
    }

    /// `0, 1, …, count-1` as a 1-D tensor.
    public static func arange(_ count: Int) throws -> Tensor {
        try Tensor(shape: [count], values: (0..<Swift.max(count, 0)).map(Float.init))
    }

    // MARK: reading and writing values

    /// All elements in row-major order.
    public func toArray() -> [Float] { Array(storage.buffer) }

    /// The single element of a one-element tensor.
    public func item() throws -> Float {
        guard count == 1 else { throw TensorError.invalidShape(op: "item", shape: shape, reason: "expected one element") }
        return storage.pointer[0]
    }

    /// Read access to the elements without copying.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(storage.buffer))
    }

    /// In-place write access. Bypasses autograd: use for initialisation and updates of
    /// leaves only (views such as reshapes see the change).
    public func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(storage.buffer)
    }

    /// Copies `source`'s values into this tensor in place (same shape). Bypasses autograd.
    public func assign(_ source: Tensor) throws {
        guard source.shape == shape else { throw TensorError.shapeMismatch(op: "assign", lhs: shape, rhs: source.shape) }
        if source.storage !== storage { storage.pointer.update(from: source.storage.pointer, count: count) }
    }

    /// A view of the same values outside any graph (no grad).
    public func detach() -> Tensor { Tensor(storage: storage, shape: shape) }

    /// A copy with new storage, outside any graph.
    public func clone() -> Tensor {
        Tensor(storage: TensorStorage(copying: storage.pointer, count: count), shape: shape)
    }

    /// The same tensor marked as a leaf that requires grad (new view if it was not a leaf).
    public func requiringGrad() -> Tensor {
        let leaf = isLeaf ? self : detach()
        leaf.requiresGrad = true
        return leaf
    }

    /// A new uninitialized output tensor (kernels fill it).
    static func empty(_ shape: [Int]) -> Tensor {
        Tensor(storage: TensorStorage(uninitializedCount: Shape.count(shape)), shape: shape)
    }

    var pointer: UnsafeMutablePointer<Float> { storage.pointer }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = toArray().prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(\(shape), [\(shown)\(count > 8 ? ", …" : "")]\(requiresGrad ? ", requiresGrad" : ""))"
    }
}
