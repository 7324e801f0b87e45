import Testing
@testable import TemperTensor

@Suite struct UnaryTests {
    static var functions: [(String, (Tensor) -> Tensor)] { [
        ("neg", { -$0 }), ("exp", { $0.exp() }), ("tanh", { $0.tanh() }), ("sigmoid", { $0.sigmoid() }),
        ("relu", { $0.relu() }), ("silu", { $0.silu() }), ("gelu", { $0.gelu() }),
        ("gelu_tanh", { $0.gelu(approximateTanh: true) }), ("abs", { $0.abs() }), ("softplus", { $0.softplus() }),
        ("logsigmoid", { $0.logSigmoid() }), ("square", { $0.square() }), ("pow3", { $0.pow(3) }),
        ("clamp", { $0.clamp(min: -0.5, max: 0.5) }), ("affine", { $0 * 2.5 + 1 }), ("rsub", { 1 - $0 }),
    ] }
    static var positiveFunctions: [(String, (Tensor) -> Tensor)] { [
        ("log", { $0.log() }), ("sqrt", { $0.sqrt() }), ("rsqrt", { $0.rsqrt() }),
        ("reciprocal", { $0.reciprocal() }), ("pow_half", { $0.pow(0.5) }),
    ] }

    @Test func matchesTorch() throws {
        let ref = try TorchReference.load()
        for (name, f) in Self.functions + Self.positiveFunctions {
            try ref.check("unary_\(name)", inputs: ["x"], rtol: 1e-5, atol: 1e-6) { f($0[0]) }
        }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        // Kinks (relu, abs, clamp) are kept at least 0.05 away from the inputs.
        for (i, (name, f)) in Self.functions.enumerated() {
            let x = name == "clamp" ? try Tensor(shape: [4], values: [-0.8, -0.3, 0.2, 0.7])
                                    : try randomTensor([2, 3], seed: UInt64(i), scale: 1.5, awayFromZero: 0.05)
            try checkGradients([x], eps: 1e-2) { f($0[0]) }
        }
        for (i, (_, f)) in Self.positiveFunctions.enumerated() {
            try checkGradients([try randomTensor([2, 3], seed: UInt64(50 + i), positive: true)], eps: 5e-3) { f($0[0]) }
        }
    }

    @Test func gradientsAtZeroFollowTorch() throws {
        let x = try Tensor(shape: [3], values: [0, 0, 0], requiresGrad: true)
        #expect(try gradients(of: x.relu().sum(), wrt: [x])[0].toArray() == [0, 0, 0])
        #expect(try gradients(of: x.abs().sum(), wrt: [x])[0].toArray() == [0, 0, 0])
        #expect(try gradients(of: x.clamp(min: 0, max: 1).sum(), wrt: [x])[0].toArray() == [1, 1, 1])
        #expect(try gradients(of: x.pow(0).sum(), wrt: [x])[0].toArray() == [0, 0, 0])
        #expect(try gradients(of: x.silu().sum(), wrt: [x])[0].toArray() == [0.5, 0.5, 0.5])
        #expect(try gradients(of: x.gelu().sum(), wrt: [x])[0].toArray() == [0.5, 0.5, 0.5])
    }

    @Test func extremeInputsStayFinite() throws {
        let x = try Tensor(shape: [4], values: [-100, -30, 30, 100])
        expectClose(x.softplus().toArray(), [0, 9.357623e-14, 30, 100], rtol: 1e-6, atol: 1e-30, "softplus")
        #expect(x.sigmoid().toArray() == [0, x.sigmoid().toArray()[1], 1, 1])
        #expect(Swift.abs(x.logSigmoid().toArray()[3]) < 1e-30 && x.logSigmoid().toArray()[0] == -100)
        #expect(x.silu().toArray()[0] == -0)
    }
}
