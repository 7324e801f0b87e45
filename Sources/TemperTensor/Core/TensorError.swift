import Foundation

/// Everything that can go wrong in TemperTensor. Each case names the op and the shapes,
/// axes or indices involved so a failing model line can be found from the message alone.
public enum TensorError: LocalizedError, Equatable, Sendable {
    /// Two operands of `op` whose shapes cannot be combined.
    case shapeMismatch(op: String, lhs: [Int], rhs: [Int])
    /// A shape that is invalid for `op` on its own (wrong rank, negative size, …).
    case invalidShape(op: String, shape: [Int], reason: String)
    /// An axis outside `-rank..<rank`.
    case invalidAxis(op: String, axis: Int, rank: Int)
    /// An index (token id, target, slice bound) outside `0..<bound`.
    case indexOutOfRange(op: String, index: Int, bound: Int)
    /// A value array or byte buffer whose length does not match the shape.
    case countMismatch(op: String, expected: Int, actual: Int)
    /// An argument outside its domain (dropout probability, negative eps, …).
    case invalidArgument(op: String, reason: String)
    /// Gradients were requested of or with respect to a tensor outside any graph.
    case notDifferentiable(reason: String)
    /// Serialized optimizer state that cannot be read or does not fit the parameters.
    case invalidState(reason: String)

    public var errorDescription: String? {
        switch self {
        case let .shapeMismatch(op, lhs, rhs):
            return "\(op): shapes \(lhs) and \(rhs) do not match"
        case let .invalidShape(op, shape, reason):
            return "\(op): invalid shape \(shape): \(reason)"
        case let .invalidAxis(op, axis, rank):
            return "\(op): axis \(axis) is out of range for a tensor of rank \(rank)"
        case let .indexOutOfRange(op, index, bound):
            return "\(op): index \(index) is out of range 0..<\(bound)"
        case let .countMismatch(op, expected, actual):
            return "\(op): expected \(expected) elements or bytes, got \(actual)"
        case let .invalidArgument(op, reason):
            return "\(op): \(reason)"
        case let .notDifferentiable(reason):
            return "autograd: \(reason)"
        case let .invalidState(reason):
            return "optimizer state: \(reason)"
        }
    }
}
