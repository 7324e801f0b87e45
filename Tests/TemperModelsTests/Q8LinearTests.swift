import Foundation
import Testing
import TemperFormats
import TemperTensor
@testable import TemperModels

/// The int8 inference path (Q8Linear.swift): every kernel gives the same bits, the
/// product stays within the activation-quantization error bound of the f32 product, and a
/// Q8_0 GGUF runs through it with logits close to the dequantized model's.
@Suite struct Q8LinearTests {
    /// Random Q8_0 blocks (int8 values over the full range, −128 included; f16 scales).
    static func randomMatrix(rows: Int, cols: Int, seed: UInt64) throws -> Q8_0Matrix {
        try Q8_0Matrix(blocks: randomBlocks(rows: rows, cols: cols, seed: seed), outputs: rows, inputs: cols, tensor: "random")
    }

    static func randomBlocks(rows: Int, cols: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 24 }
        var bytes: [UInt8] = []
        for _ in 0..<(rows * cols / 32) {
            let d = Float16(Float(next() % 1000 + 1) / 64_000)
            withUnsafeBytes(of: d.bitPattern.littleEndian) { bytes += $0 }
            for _ in 0..<32 { bytes.append(UInt8(truncatingIfNeeded: next())) }
        }
        return bytes
    }

    static func randomInput(_ shape: [Int], seed: UInt64) throws -> Tensor {
        var rng = TensorRNG(seed: seed)
        return try Tensor.randn(shape, rng: &rng)
    }

    /// Every kernel gives the portable path's bits: rows that fill 16-row groups or leave a
    /// partial one (1, 37, 70: one, three and five groups, so the decode pass of 4 groups and
    /// its remainder), 1, 3 and 19 blocks per row, and 1 to 9 tokens (tiles of 4 tokens and
    /// every remainder).
    @Test(arguments: [(37, 19), (70, 3), (1, 1), (16, 18), (33, 48)])
    func allKernelsGiveTheSameBits(rows: Int, blocks: Int) throws {
        let w = try Self.randomMatrix(rows: rows, cols: blocks * 32, seed: UInt64(rows * 100 + blocks))
        for tokens in [1, 2, 3, 4, 5, 9] {
            let x = try Self.randomInput([tokens, blocks * 32], seed: UInt64(tokens))
            let portable = try w.apply(x, kernel: .portable).toArray().map(\.bitPattern)
            #expect(portable.count == tokens * rows)
            for kernel in [Q8_0Matrix.Kernel.avx2, .avxVNNI, .avx512VNNI] {
                #expect(try w.apply(x, kernel: kernel).toArray().map(\.bitPattern) == portable, "\(kernel), \(tokens) tokens")
            }
        }
    }

    /// The bit contract, from the ggml blocks by an independent Swift loop: per row and token,
    /// acc = 0, then acc = acc + (d_x · d_w) · Float(exact Int32 Σ q_w·q_x) block after block.
    /// Also: the regrouped blocks come back unchanged.
    @Test func portableKernelFollowsTheSequentialBlockContract() throws {
        let (rows, nb, tokens) = (21, 5, 3)
        let ggml = Self.randomBlocks(rows: rows, cols: nb * 32, seed: 11)
        let w = try Q8_0Matrix(blocks: ggml, outputs: rows, inputs: nb * 32, tensor: "random")
        #expect(w.blocks == ggml)
        let x = try Self.randomInput([tokens, nb * 32], seed: 12)
        let qx = try Quantize.encode(x.toArray(), as: .q8_0, rowLength: nb * 32)
        func scale(_ bytes: [UInt8], _ block: Int) -> Float { Float(Float16(bitPattern: UInt16(bytes[34 * block]) | UInt16(bytes[34 * block + 1]) << 8)) }
        var expected: [UInt32] = []
        for t in 0..<tokens {
            for r in 0..<rows {
                var acc: Float = 0
                for b in 0..<nb {
                    let (wb, xb) = (r * nb + b, t * nb + b)
                    var s: Int32 = 0
                    for j in 0..<32 { s += Int32(Int8(bitPattern: ggml[34 * wb + 2 + j])) * Int32(Int8(bitPattern: qx[34 * xb + 2 + j])) }
                    acc = acc + (scale(qx, xb) * scale(ggml, wb)) * Float(s)
                }
                expected.append(acc.bitPattern)
            }
        }
        #expect(try w.apply(x, kernel: .portable).toArray().map(\.bitPattern) == expected)
        #expect(try w.apply(x).toArray().map(\.bitPattern) == expected)
    }

    /// |y − x·Ŵᵀ| ≤ Σ_blocks (d_x / 2)·Σ|ŵ| (each activation is off by at most half its
    /// block's step) plus f32 rounding, with Ŵ the dequantized weights.
    @Test func productIsWithinTheActivationQuantizationBound() throws {
        let (rows, cols) = (24, 8 * 32)
        let w = try Self.randomMatrix(rows: rows, cols: cols, seed: 5)
        let x = try Self.randomInput([2, cols], seed: 6).toArray()
        let dequantized = try w.blocks.withUnsafeBytes { try Quantize.decode($0, as: .q8_0, count: rows * cols) }
        let y = try w.apply(try Tensor(shape: [2, cols], values: x)).toArray()
        for t in 0..<2 {
            for r in 0..<rows {
                var exact = 0.0, bound = 0.0, magnitude = 0.0
                for b in 0..<(cols / 32) {
                    let block = x[(t * cols + b * 32)..<(t * cols + b * 32 + 32)]
                    let step = Double(Float16(block.map { abs($0) }.max()! / 127))
                    var wsum = 0.0
                    for j in 0..<32 {
                        let wv = Double(dequantized[r * cols + b * 32 + j])
                        exact += Double(x[t * cols + b * 32 + j]) * wv
                        wsum += abs(wv); magnitude += abs(Double(x[t * cols + b * 32 + j]) * wv)
                    }
                    bound += step / 2 * wsum
                }
                let error = abs(Double(y[t * rows + r]) - exact)
                #expect(error <= bound * 1.001 + 1e-5 * magnitude, "token \(t) row \(r): \(error) > \(bound)")
            }
        }
    }

    @Test func biasIsAddedAndShapesAreChecked() throws {
        let w = try Self.randomMatrix(rows: 4, cols: 64, seed: 7)
        let x = try Self.randomInput([1, 2, 64], seed: 8)
        let bias = try Tensor(shape: [4], values: [1, -2, 3, 0.5])
        let plain = try w.apply(x).toArray(), biased = try w.apply(x, bias: bias)
        #expect(biased.shape == [1, 2, 4])
        for i in 0..<8 { #expect(biased.toArray()[i] == plain[i] + bias.toArray()[i % 4]) }
        #expect(throws: ModelError.self) { try w.apply(try Self.randomInput([2, 32], seed: 9)) }
        #expect(throws: ModelError.self) { try Q8_0Matrix(blocks: [UInt8](repeating: 0, count: 33), outputs: 1, inputs: 32, tensor: "t") }
    }

    /// Fixtures/causal/llama (byte-level BPE, untied head) exported as a Q8_0 GGUF (q/k rows
    /// permuted as llama.cpp stores them), loaded with and without the int8 path.
    @Test func q8_0GGUFRunsThroughTheInt8PathCloseToTheDequantizedModel() throws {
        let dir = try ModelFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gguf = dir.appendingPathComponent("tiny-q8_0.gguf")
        _ = try CheckpointConverter.convert(try ConversionInput(url: ModelFixtures.root.appendingPathComponent("causal/llama")), to: gguf,
                                            options: ConversionOptions(target: .gguf, dtype: .q8_0))
        let int8 = try LlamaModel.load(gguf, int8: true)
        let plain = try LlamaModel.load(gguf)
        // Every linear and the head carry Q8_0 blocks, and they are exactly the Q8_0 encoding
        // of the dequantized (un-permuted) f32 weights: Q8_0 → f32 → Q8_0 is lossless, so
        // this checks names and row order.
        var layers: [(Linear, String)] = []
        for (l, block) in int8.blocks.enumerated() {
            let a = block.attention, m = block.mlp
            layers += [(a.q, "\(l).q"), (a.k, "\(l).k"), (a.v, "\(l).v"), (a.o, "\(l).o"), (m.gate, "\(l).gate"), (m.up, "\(l).up"), (m.down, "\(l).down")]
        }
        #expect(plain.blocks.allSatisfy { $0.attention.q.quantized == nil } && plain.quantizedHead == nil)
        for (layer, name) in layers {
            let q = try #require(layer.quantized, "\(name) has no Q8_0 blocks")
            let reencoded = try Quantize.encode(layer.weight.toArray(), as: .q8_0, rowLength: q.inputs)
            #expect(reencoded == q.blocks, "\(name): blocks differ from the re-encoded f32 weights")
        }
        let head = try #require(int8.quantizedHead)
        #expect(try Quantize.encode(int8.head.toArray(), as: .q8_0, rowLength: head.inputs) == head.blocks)

        let tokens = try TokenBatch(rows: [[1, 17, 40, 5, 99, 23, 8, 2], [1, 3, 3, 700, 12, 6, 440, 31]])
        let a = try noGrad { try int8.forward(tokens, options: ForwardOptions()) }.logits?.toArray() ?? []
        let b = try noGrad { try plain.forward(tokens, options: ForwardOptions()) }.logits?.toArray() ?? []
        #expect(a.count == b.count && !a.isEmpty)
        let range = (b.max() ?? 0) - (b.min() ?? 0)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        // 8-bit activations: a few tenths of a percent of the logit range on this model.
        #expect(worst <= 0.01 * range, "max |Δlogit| \(worst) vs range \(range)")
        // With autograd on, the f32 weights are used (training never sees the Q8_0 copy).
        let graded = try int8.forward(tokens, options: ForwardOptions()).logits?.toArray() ?? []
        #expect(graded.map(\.bitPattern) == b.map(\.bitPattern))
    }

    @Test func groupedProductsEqualSeparateOnes() throws {
        let cols = 6 * 32
        let ws = try [(300, 1), (70, 2), (9, 3)].map { try Self.randomMatrix(rows: $0.0, cols: cols, seed: $0.1) }
        let biases: [Tensor?] = [nil, try Self.randomInput([70], seed: 5), nil]
        for tokens in [1, 5] {
            let x = try Self.randomInput([1, tokens, cols], seed: 6)
            let grouped = try Q8_0Matrix.apply(Array(zip(ws, biases)), to: x)
            for (i, (w, bias)) in zip(ws, biases).enumerated() {
                let alone = try w.apply(x, bias: bias)
                #expect(grouped[i].toArray().map(\.bitPattern) == alone.toArray().map(\.bitPattern), "matrix \(i), \(tokens) tokens")
            }
        }
        let wrong = try Self.randomMatrix(rows: 4, cols: 32, seed: 7)
        #expect(throws: ModelError.self) { try Q8_0Matrix.apply([(ws[0], nil), (wrong, nil)], to: try Self.randomInput([1, cols], seed: 8)) }
    }
}
