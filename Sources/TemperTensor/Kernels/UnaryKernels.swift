import CTemperKernels
import Foundation

/// Elementwise functions with their local derivatives. One case per function; the
/// forward and backward tables below are the op's whole definition.
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

// Element functions are small structs rather than closures: a generic loop specialised on
// a struct inlines the function into the vectorisable loop body; a closure captured by the
// parallel-for would stay an indirect call per element.
protocol ElementFunction { func callAsFunction(_ x: Float) -> Float }
/// Gradient functions see x (input), y (saved output) and g (incoming gradient).
protocol GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float }

@inline(__always)
private func map<F: ElementFunction>(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int, _ cost: Int, _ f: F) {
    Parallel.chunks(count, cost: cost) { range in
        for i in range { out[i] = f(x[i]) }
    }
}

@inline(__always)
private func map<F: GradientFunction>(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                                      _ out: UnsafeMutablePointer<Float>, _ count: Int, _ cost: Int, _ f: F) {
    Parallel.chunks(count, cost: cost) { range in
        for i in range { out[i] = f(x[i], y[i], g[i]) }
    }
}

private let sqrtHalf: Float = 0.70710678118654752440
private let invSqrt2Pi: Float = 0.39894228040143267794
private let geluBeta: Float = 0.79788456080286535588 // √(2/π)
private let geluKappa: Float = 0.044715
@inline(__always) private func sigmoidf(_ x: Float) -> Float { fastSigmoid(x) }

private struct Neg: ElementFunction { func callAsFunction(_ x: Float) -> Float { -x } }
private struct Exp: ElementFunction { func callAsFunction(_ x: Float) -> Float { fastExp(x) } }
private struct Log: ElementFunction { func callAsFunction(_ x: Float) -> Float { Foundation.log(x) } }
private struct Sqrt: ElementFunction { func callAsFunction(_ x: Float) -> Float { x.squareRoot() } }
private struct Rsqrt: ElementFunction { func callAsFunction(_ x: Float) -> Float { 1 / x.squareRoot() } }
private struct Tanh: ElementFunction { func callAsFunction(_ x: Float) -> Float { Foundation.tanh(x) } }
private struct Sigmoid: ElementFunction { func callAsFunction(_ x: Float) -> Float { sigmoidf(x) } }
private struct Relu: ElementFunction { func callAsFunction(_ x: Float) -> Float { x < 0 ? 0 : x } }
private struct GeluErf: ElementFunction { func callAsFunction(_ x: Float) -> Float { x * 0.5 * (1 + Foundation.erf(x * sqrtHalf)) } }
private struct GeluTanh: ElementFunction {
    func callAsFunction(_ x: Float) -> Float { 0.5 * x * (1 + Foundation.tanh(geluBeta * (x + geluKappa * x * x * x))) }
}
private struct Abs: ElementFunction { func callAsFunction(_ x: Float) -> Float { Swift.abs(x) } }
private struct Softplus: ElementFunction {
    func callAsFunction(_ x: Float) -> Float { Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }
}
private struct Square: ElementFunction { func callAsFunction(_ x: Float) -> Float { x * x } }
private struct Reciprocal: ElementFunction { func callAsFunction(_ x: Float) -> Float { 1 / x } }
private struct AddScalar: ElementFunction { let s: Float; func callAsFunction(_ x: Float) -> Float { x + s } }
private struct MulScalar: ElementFunction { let s: Float; func callAsFunction(_ x: Float) -> Float { x * s } }
private struct Pow: ElementFunction { let p: Float; func callAsFunction(_ x: Float) -> Float { Foundation.pow(x, p) } }
private struct Clamp: ElementFunction { let lo, hi: Float; func callAsFunction(_ x: Float) -> Float { Swift.min(Swift.max(x, lo), hi) } }

private struct DNeg: GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { -g } }
private struct DExp: GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { g * y } }
private struct DLog: GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { g / x } }
private struct DSqrt: GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { g / (2 * y) } }
private struct DRsqrt: GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { -0.5 * g * y * y * y } }
private struct DTanh: GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { g * (1 - y * y) } }
private struct DSigmoid: GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { g * y * (1 - y) } }
private struct DRelu: GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { x > 0 ? g : 0 } }
private struct DGeluErf: GradientFunction {
    func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float {
        let cdf = 0.5 * (1 + Foundation.erf(x * sqrtHalf))
        return g * (cdf + x * invSqrt2Pi * fastExp(-0.5 * x * x))
    }
}
private struct DGeluTanh: GradientFunction {
    func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float {
        let t = Foundation.tanh(geluBeta * (x + geluKappa * x * x * x))
        let inner = geluBeta * (1 + 3 * geluKappa * x * x)
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * inner)
    }
}
private struct DAbs: GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { x > 0 ? g : (x < 0 ? -g : 0) } }
private struct DSoftplus: GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { g * sigmoidf(x) } }
private struct DSquare: GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { 2 * x * g } }
private struct DReciprocal: GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { -g * y * y } }
private struct DIdentity: GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { g } }
private struct DZero: GradientFunction { func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { 0 } }
private struct DMulScalar: GradientFunction { let s: Float; func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { g * s } }
private struct DPow: GradientFunction {
    let p: Float
    func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { g * p * Foundation.pow(x, p - 1) }
}
private struct DClamp: GradientFunction {
    let lo, hi: Float
    func callAsFunction(_ x: Float, _ y: Float, _ g: Float) -> Float { x >= lo && x <= hi ? g : 0 }
}

enum UnaryKernels {
    /// The widest instruction set of CTemperKernels' elementwise loops on this CPU.
    static let simd = temper_elementwise_best_simd()

    static func forward(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        let c = op.cost
        switch op {
        case .neg: map(x, out, n, c, Neg())
        case .exp: map(x, out, n, c, Exp())
        case .log: map(x, out, n, c, Log())
        case .sqrt: map(x, out, n, c, Sqrt())
        case .rsqrt: map(x, out, n, c, Rsqrt())
        case .tanh: map(x, out, n, c, Tanh())
        case .sigmoid: map(x, out, n, c, Sigmoid())
        case .relu: map(x, out, n, c, Relu())
        case .silu:  // CTemperKernels: the same arithmetic as fastExp, 8 or 16 lanes wide
            Parallel.chunks(n, cost: c) { r in temper_silu_f32(x + r.lowerBound, out + r.lowerBound, r.count, simd) }
        case .geluErf: map(x, out, n, c, GeluErf())
        case .geluTanh: map(x, out, n, c, GeluTanh())
        case .abs: map(x, out, n, c, Abs())
        case .softplus: map(x, out, n, c, Softplus())
        case .square: map(x, out, n, c, Square())
        case .reciprocal: map(x, out, n, c, Reciprocal())
        case let .addScalar(s): map(x, out, n, c, AddScalar(s: s))
        case let .mulScalar(s): map(x, out, n, c, MulScalar(s: s))
        case let .powScalar(p):
            switch p {
            case 2: map(x, out, n, 1, Square())
            case 1: map(x, out, n, 1, MulScalar(s: 1))
            case 0.5: map(x, out, n, 4, Sqrt())
            default: map(x, out, n, 16, Pow(p: p))
            }
        case let .clamp(lo, hi): map(x, out, n, c, Clamp(lo: lo, hi: hi))
        }
    }

    /// dx = g · f'(x) for `n` elements (y is the saved forward output).
    static func backward(_ op: UnaryOp, x: UnsafePointer<Float>, y: UnsafePointer<Float>, g: UnsafePointer<Float>,
                         out: UnsafeMutablePointer<Float>, _ n: Int) {
        let c = op.cost
        switch op {
        case .neg: map(x, y, g, out, n, 1, DNeg())
        case .exp: map(x, y, g, out, n, 1, DExp())
        case .log: map(x, y, g, out, n, 1, DLog())
        case .sqrt: map(x, y, g, out, n, 1, DSqrt())
        case .rsqrt: map(x, y, g, out, n, 1, DRsqrt())
        case .tanh: map(x, y, g, out, n, 1, DTanh())
        case .sigmoid: map(x, y, g, out, n, 1, DSigmoid())
        case .relu: map(x, y, g, out, n, 1, DRelu())
        case .silu:
            Parallel.chunks(n, cost: c) { r in
                temper_silu_backward_f32(x + r.lowerBound, g + r.lowerBound, out + r.lowerBound, r.count, simd)
            }
        case .geluErf: map(x, y, g, out, n, c, DGeluErf())
        case .geluTanh: map(x, y, g, out, n, c, DGeluTanh())
        case .abs: map(x, y, g, out, n, 1, DAbs())
        case .softplus: map(x, y, g, out, n, c, DSoftplus())
        case .square: map(x, y, g, out, n, 1, DSquare())
        case .reciprocal: map(x, y, g, out, n, 1, DReciprocal())
        case .addScalar: map(x, y, g, out, n, 1, DIdentity())
        case let .mulScalar(s): map(x, y, g, out, n, 1, DMulScalar(s: s))
        case let .powScalar(p):
            switch p {
            case 0: map(x, y, g, out, n, 1, DZero())
            case 2: map(x, y, g, out, n, 1, DSquare())
            default: map(x, y, g, out, n, 16, DPow(p: p))
            }
        case let .clamp(lo, hi): map(x, y, g, out, n, 1, DClamp(lo: lo, hi: hi))
        }
    }
}
