import Foundation

/// Elementwise functions with their local derivatives. One case per function; the
/// forward and backward loops below are the op's whole definition.
enum UnaryOp: Equatable {
    case neg, exp, log, sqrt, rsqrt, tanh, sigmoid, relu, silu, geluErf, geluTanh
    case abs, softplus, square, reciprocal
    case addScalar(Float), mulScalar(Float), powScalar(Float), clamp(Float, Float)

    /// Relative cost per element (decides when a loop is split across cores).
    var cost: Int {
        switch self {
        case .neg, .relu, .abs, .square, .addScalar, .mulScalar, .clamp: return 1
        case .sqrt, .rsqrt, .reciprocal: return 4
        default: return 16
        }
    }
}

private let sqrtHalf: Float = 0.70710678118654752440
private let invSqrt2Pi: Float = 0.39894228040143267794
private let geluBeta: Float = 0.79788456080286535588 // √(2/π)
private let geluKappa: Float = 0.044715

@inline(__always) private func sigmoidf(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }

@inline(__always)
private func map(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int, _ cost: Int,
                 _ f: (Float) -> Float) {
    Parallel.chunks(count, cost: cost) { range in
        for i in range { out[i] = f(x[i]) }
    }
}

/// Gradient loops see x (input), y (output) and g (incoming gradient) at each index.
@inline(__always)
private func map3(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                  _ out: UnsafeMutablePointer<Float>, _ count: Int, _ cost: Int,
                  _ f: (Float, Float, Float) -> Float) {
    Parallel.chunks(count, cost: cost) { range in
        for i in range { out[i] = f(x[i], y[i], g[i]) }
    }
}

enum UnaryKernels {
    static func forward(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        let c = op.cost
        switch op {
        case .neg: map(x, out, n, c) { -$0 }
        case .exp: map(x, out, n, c) { Foundation.exp($0) }
        case .log: map(x, out, n, c) { Foundation.log($0) }
        case .sqrt: map(x, out, n, c) { $0.squareRoot() }
        case .rsqrt: map(x, out, n, c) { 1 / $0.squareRoot() }
        case .tanh: map(x, out, n, c) { Foundation.tanh($0) }
        case .sigmoid: map(x, out, n, c) { sigmoidf($0) }
        case .relu: map(x, out, n, c) { $0 < 0 ? 0 : $0 }
        case .silu: map(x, out, n, c) { $0 / (1 + Foundation.exp(-$0)) }
        case .geluErf: map(x, out, n, c) { $0 * 0.5 * (1 + Foundation.erf($0 * sqrtHalf)) }
        case .geluTanh:
            map(x, out, n, c) { 0.5 * $0 * (1 + Foundation.tanh(geluBeta * ($0 + geluKappa * $0 * $0 * $0))) }
        case .abs: map(x, out, n, c) { Swift.abs($0) }
        case .softplus: map(x, out, n, c) { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) }
        case .square: map(x, out, n, c) { $0 * $0 }
        case .reciprocal: map(x, out, n, c) { 1 / $0 }
        case let .addScalar(s): map(x, out, n, c) { $0 + s }
        case let .mulScalar(s): map(x, out, n, c) { $0 * s }
        case let .powScalar(p):
            if p == 2 {
                map(x, out, n, 1) { $0 * $0 }
            } else if p == 1 {
                map(x, out, n, 1) { $0 }
            } else if p == 0.5 {
                map(x, out, n, 4) { $0.squareRoot() }
            } else {
                map(x, out, n, 16) { Foundation.pow($0, p) }
            }
        case let .clamp(lo, hi): map(x, out, n, c) { Swift.min(Swift.max($0, lo), hi) }
        }
    }

    /// dx = g · f'(x) for `count` elements (y is the saved forward output).
    static func backward(_ op: UnaryOp, x: UnsafePointer<Float>, y: UnsafePointer<Float>, g: UnsafePointer<Float>,
                         out: UnsafeMutablePointer<Float>, _ n: Int) {
        let c = op.cost
        switch op {
        case .neg: map3(x, y, g, out, n, 1) { _, _, g in -g }
        case .exp: map3(x, y, g, out, n, 1) { _, y, g in g * y }
        case .log: map3(x, y, g, out, n, 1) { x, _, g in g / x }
        case .sqrt: map3(x, y, g, out, n, 1) { _, y, g in g / (2 * y) }
        case .rsqrt: map3(x, y, g, out, n, 1) { _, y, g in -0.5 * g * y * y * y }
        case .tanh: map3(x, y, g, out, n, 1) { _, y, g in g * (1 - y * y) }
        case .sigmoid: map3(x, y, g, out, n, 1) { _, y, g in g * y * (1 - y) }
        case .relu: map3(x, y, g, out, n, 1) { x, _, g in x > 0 ? g : 0 }
        case .silu:
            map3(x, y, g, out, n, c) { x, _, g in
                let s = sigmoidf(x)
                return g * s * (1 + x * (1 - s))
            }
        case .geluErf:
            map3(x, y, g, out, n, c) { x, _, g in
                let cdf = 0.5 * (1 + Foundation.erf(x * sqrtHalf))
                let pdf = invSqrt2Pi * Foundation.exp(-0.5 * x * x)
                return g * (cdf + x * pdf)
            }
        case .geluTanh:
            map3(x, y, g, out, n, c) { x, _, g in
                let t = Foundation.tanh(geluBeta * (x + geluKappa * x * x * x))
                let inner = geluBeta * (1 + 3 * geluKappa * x * x)
                return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * inner)
            }
        case .abs: map3(x, y, g, out, n, 1) { x, _, g in x > 0 ? g : (x < 0 ? -g : 0) }
        case .softplus: map3(x, y, g, out, n, c) { x, _, g in g * sigmoidf(x) }
        case .square: map3(x, y, g, out, n, 1) { x, _, g in 2 * x * g }
        case .reciprocal: map3(x, y, g, out, n, 1) { _, y, g in -g * y * y }
        case .addScalar: map3(x, y, g, out, n, 1) { _, _, g in g }
        case let .mulScalar(s): map3(x, y, g, out, n, 1) { _, _, g in g * s }
        case let .powScalar(p):
            if p == 0 {
                map3(x, y, g, out, n, 1) { _, _, _ in 0 }
            } else if p == 2 {
                map3(x, y, g, out, n, 1) { x, _, g in 2 * x * g }
            } else {
                map3(x, y, g, out, n, 16) { x, _, g in g * p * Foundation.pow(x, p - 1) }
            }
        case let .clamp(lo, hi): map3(x, y, g, out, n, 1) { x, _, g in x >= lo && x <= hi ? g : 0 }
        }
    }
}
