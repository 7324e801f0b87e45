import Foundation
import Testing
@testable import TemperFormats

@Suite struct QuantizationTests {
    @Test func q8_0MatchesGGUFPyBitForBit() throws {
        let input = try GGUFFixtures.floats("quant_input.f32.bin")
        let bytes = try Quantize.encode(input, as: .q8_0, rowLength: 128)
        #expect(bytes == (try GGUFFixtures.bytes("quant_input.q8_0.bin")))
    }

    @Test func q4_0MatchesGGUFPyBitForBit() throws {
        let input = try GGUFFixtures.floats("quant_input.f32.bin")
        let bytes = try Quantize.encode(input, as: .q4_0, rowLength: 128)
        #expect(bytes == (try GGUFFixtures.bytes("quant_input.q4_0.bin")))
    }

    @Test(arguments: [("q8_0", GGMLType.q8_0), ("q4_0", GGMLType.q4_0)])
    func dequantizeMatchesGGUFPy(_ name: String, _ type: GGMLType) throws {
        let packed = try GGUFFixtures.bytes("quant_input.\(name).bin")
        let expected = try GGUFFixtures.floats("quant_input.\(name).dequant.f32.bin")
        let values = try packed.withUnsafeBytes { try Quantize.decode($0, as: type, count: 1024) }
        #expect(values.count == expected.count)
        for (i, (a, b)) in zip(values, expected).enumerated() where a.bitPattern != b.bitPattern && !(a.isNaN && b.isNaN) {
            Issue.record("\(name) element \(i): \(a) vs gguf-py \(b)")
        }
    }

    @Test func halfAndBFloatMatchGGUFPy() throws {
        for input in ["float_input", "quant_input"] {
            let values = try GGUFFixtures.floats("\(input).f32.bin")
            #expect(try Quantize.encode(values, as: .bf16, rowLength: values.count) == (try GGUFFixtures.bytes("\(input).bf16.bin")))
        }
        let values = try GGUFFixtures.floats("float_input.f32.bin")
        #expect(try Quantize.encode(values, as: .f16, rowLength: values.count) == (try GGUFFixtures.bytes("float_input.f16.bin")))
        #expect(try Quantize.encode(values, as: .f32, rowLength: 64) == (try GGUFFixtures.bytes("float_input.f32.bin")))
    }

    @Test func roundTripsStayWithinHalfAStep() throws {
        var rng = SplitMix(seed: 9)
        let values = (0..<4096).map { _ in Float(Int64(bitPattern: rng.next() % 20001) - 10000) / 1000 }
        let q8 = try Quantize.encode(values, as: .q8_0, rowLength: 64)
        let back = try q8.withUnsafeBytes { try Quantize.decode($0, as: .q8_0, count: values.count) }
        for b in 0..<(values.count / 32) {
            let block = values[(b * 32)..<(b * 32 + 32)]
            // half a step, plus the f16 rounding of d (relative 2^-11) times the largest q (127)
            let step = block.map(abs).max()! / 127
            for i in block.indices { #expect(abs(back[i] - values[i]) <= step * (0.5 + 127.0 / 2048) * 1.001) }
        }
    }

    @Test func largeInputsUseEveryCoreAndAgreeWithOneCore() throws {
        var rng = SplitMix(seed: 3)
        let n = 32 * 20000
        let values = (0..<n).map { _ in Float(Int32(truncatingIfNeeded: rng.next())) / 1e9 }
        let whole = try Quantize.encode(values, as: .q8_0, rowLength: 32)
        var pieces: [UInt8] = []
        for start in stride(from: 0, to: n, by: 32 * 1000) {
            pieces += try Quantize.encode(Array(values[start..<(start + 32 * 1000)]), as: .q8_0, rowLength: 32)
        }
        #expect(whole == pieces)
    }

    @Test func q8_0FastPathAgreesWithExactPath() {
        var rng = SplitMix(seed: 77)
        var fast = [UInt8](repeating: 0, count: 34), exact = [UInt8](repeating: 0, count: 34)
        for trial in 0..<20000 {
            let scale = Float(bitPattern: UInt32(truncatingIfNeeded: 0x2000_0000 &+ (rng.next() % 0x3F00_0000)))
            var block = (0..<32).map { _ in Float(Int64(rng.next() % 2_000_001) - 1_000_000) / 1_000_000 * scale }
            if trial % 3 == 0 {   // exact ties and near-ties: max 127 so that d = 1
                block = (0..<32).map { _ in Float(Int64(rng.next() % 255) - 127) + [0, 0.5, -0.5, 0.49999997, 0.50000006][Int(rng.next() % 5)] }
                block[0] = 127
            }
            block.withUnsafeBufferPointer { x in
                fast.withUnsafeMutableBytes { Quantize.q8_0Block(x.baseAddress!, $0.baseAddress!) }
                exact.withUnsafeMutableBytes { Quantize.q8_0BlockExact(x.baseAddress!, $0.baseAddress!) }
            }
            if fast != exact { Issue.record("block \(trial) differs: \(block)"); return }
        }
    }

    /// The AVX2/F16C kernel (where the CPU has it) against the portable Swift path, on the
    /// blocks of the test above plus NaN, infinities and subnormal scales, which the kernel
    /// hands back to the exact path mid-run.
    @Test func q8_0SIMDPathMatchesPortablePath() {
        var rng = SplitMix(seed: 78)
        var values: [Float] = []
        for trial in 0..<6000 {
            let scale = Float(bitPattern: UInt32(truncatingIfNeeded: 0x0080_0000 &+ (rng.next() % 0x3F00_0000)))
            var block = (0..<32).map { _ in Float(Int64(rng.next() % 2_000_001) - 1_000_000) / 1_000_000 * scale }
            switch trial % 11 {
            case 0: block = (0..<32).map { _ in Float(Int64(rng.next() % 255) - 127) + [0, 0.5, -0.5, 0.49999997, 0.50000006][Int(rng.next() % 5)] }
                block[0] = 127
            case 1: block[Int(rng.next() % 32)] = .nan
            case 2: block[Int(rng.next() % 32)] = -.infinity
            case 3: block = block.map { $0 * 1e-37 }   // scale below FLT_MIN
            case 4: block = [Float](repeating: 0, count: 32)
            case 5: block = block.map { -abs($0) }
            default: break
            }
            values += block
        }
        let vector = (try? Quantize.encode(values, as: .q8_0, rowLength: 32)) ?? []
        var portable = [UInt8](repeating: 0, count: vector.count)
        values.withUnsafeBufferPointer { x in portable.withUnsafeMutableBytes { Quantize.quantizeQ8_0(x, into: $0, simd: false) } }
        #expect(vector.count == 6000 * 34)
        for b in 0..<6000 where vector[(34 * b)..<(34 * b + 34)] != portable[(34 * b)..<(34 * b + 34)] {
            Issue.record("block \(b) differs (SIMD available: \(Quantize.q8_0HasSIMD)): \(values[(32 * b)..<(32 * b + 32)])"); return
        }
    }

    @Test func badShapesAreTypedErrors() {
        #expect(throws: FormatError.self) { try Quantize.encode([Float](repeating: 1, count: 40), as: .q8_0, rowLength: 20) }
        #expect(throws: FormatError.self) { try Quantize.encode([Float](repeating: 1, count: 64), as: .q8_0, rowLength: 48) }
        #expect(throws: FormatError.self) { try Quantize.encode([Float](repeating: 1, count: 32), as: .q6_K, rowLength: 32) }
        #expect(throws: FormatError.self) { try [UInt8](repeating: 0, count: 33).withUnsafeBytes { try Quantize.decode($0, as: .q8_0, count: 32) } }
    }

    @Test func specialValuesDoNotTrap() throws {
        let specials: [Float] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.leastNonzeroMagnitude] + [Float](repeating: 1, count: 27)
        for type in [GGMLType.q8_0, .q4_0, .f16, .bf16] {
            let bytes = try Quantize.encode(specials, as: type, rowLength: 32)
            _ = try bytes.withUnsafeBytes { try Quantize.decode($0, as: type, count: 32) }
        }
    }
}
