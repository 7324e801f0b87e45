import CTemperKernels
import Foundation
import TemperFormats
import TemperTensor

/// A Q8_0 weight matrix [outputs, inputs] kept in ggml's block layout (per 32 inputs: f16
/// scale + 32 int8) and multiplied without dequantizing, as llama.cpp's CPU backend does
/// (ggml-cpu `ggml_vec_dot_q8_0_q8_0`): each row of the input is quantized to Q8_0 blocks
/// (`Quantize.quantizeQ8_0`, the reference rounding), every output is Σ over blocks of
/// d_w·d_x·(int32 Σ q_w·q_x). Inference only: the result records no autograd graph.
final class Q8_0Matrix: @unchecked Sendable {
    // @unchecked: `blocks` is immutable after init.
    let outputs: Int, inputs: Int
    let blocks: [UInt8]
    private var blocksPerRow: Int { inputs / Quantize.blockSize }

    init(blocks: [UInt8], outputs: Int, inputs: Int, tensor: String) throws {
        let (perRow, overflow) = (inputs / Quantize.blockSize).multipliedReportingOverflow(by: Quantize.q8_0BlockBytes)
        guard outputs > 0, inputs > 0, inputs % Quantize.blockSize == 0, !overflow,
              outputs.multipliedReportingOverflow(by: perRow) == (blocks.count, false) else {
            throw ModelError.shapeMismatch(path: "", tensor: tensor, expected: [outputs, inputs], actual: [blocks.count])
        }
        self.blocks = blocks; self.outputs = outputs; self.inputs = inputs
    }

    /// Bytes of weights one product streams (what decode reads per token).
    var byteCount: Int { blocks.count }

    /// x·Wᵀ (+ bias) for x [..., inputs] → [..., outputs]. `simd: false` forces the portable
    /// kernel, `vnni: false` the AVX2 one on CPUs with AVX-VNNI (all give the same bits).
    func apply(_ x: Tensor, bias: Tensor? = nil, simd: Bool = true, vnni: Bool = true) throws -> Tensor {
        try Self.apply([(self, bias)], to: x, simd: simd, vnni: vnni)[0]
    }

    /// `apply` for several matrices with the same inputs (q/k/v, gate/up): x is quantized once
    /// and the rows of all matrices are split across the cores in one parallel region. Each
    /// output is the same kernel call on the same blocks as `apply` alone: the same bits.
    static func apply(_ matrices: [(matrix: Q8_0Matrix, bias: Tensor?)], to x: Tensor, simd: Bool = true, vnni: Bool = true) throws -> [Tensor] {
        guard let inputs = matrices.first?.matrix.inputs else { return [] }
        for (m, bias) in matrices {
            guard x.rank >= 1, x.shape[x.rank - 1] == m.inputs, m.inputs == inputs, bias.map({ $0.shape == [m.outputs] }) ?? true else {
                throw ModelError.shapeMismatch(path: "", tensor: "q8_0 linear", expected: [m.outputs, m.inputs], actual: x.shape)
            }
        }
        let tokens = x.count / inputs, nb = inputs / Quantize.blockSize
        let (scales, values) = quantizeActivations(x, blocks: tokens * nb, simd: simd)
        let outputs = try matrices.map { try Tensor.zeros(Array(x.shape.dropLast()) + [$0.matrix.outputs]) }
        // Raw addresses (Sendable) of each matrix's blocks and output; `matrices` and `outputs`
        // keep them alive until the region ends.
        var parts: [(w: UInt, rows: Int, y: UInt)] = []
        for (m, out) in zip(matrices.map(\.matrix), outputs) {
            let w = m.blocks.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
            let y = out.withUnsafeMutableBufferPointer { UInt(bitPattern: $0.baseAddress) }
            parts.append((w, m.outputs, y))
        }
        let ranges = parts, total = parts.reduce(0) { $0 + $1.rows }, simdFlag = Int32(simd ? (vnni ? 2 : 1) : 0)
        withExtendedLifetime((matrices, outputs)) {
            scales.withUnsafeBufferPointer { xd in
                values.withUnsafeBufferPointer { xs in
                    let (xdAddress, xsAddress) = (UInt(bitPattern: xd.baseAddress), UInt(bitPattern: xs.baseAddress))
                    // Rows split into up to 4 tasks per core (≥ 4 k blocks, 136 kB of weights, each): the first
                    // runs while the other workers wake, whoever is free takes the next.
                    let tasks = max(1, min(4 * TensorBackend.threads, total * nb * tokens / 4096))
                    let chunk = (total + tasks - 1) / tasks
                    DispatchQueue.concurrentPerform(iterations: tasks) { t in
                        let lo = t * chunk, hi = min(total, lo + chunk)
                        guard lo < hi, let d = UnsafePointer<Float>(bitPattern: xdAddress),
                              let s = UnsafePointer<Int8>(bitPattern: xsAddress) else { return }
                        var offset = 0
                        for part in ranges {
                            let a = max(lo, offset), b = min(hi, offset + part.rows)
                            if a < b, let w = UnsafePointer<UInt8>(bitPattern: part.w), let y = UnsafeMutablePointer<Float>(bitPattern: part.y) {
                                temper_q8_0_gemm(w + (a - offset) * nb * Quantize.q8_0BlockBytes, b - a, nb, d, s, tokens,
                                                 y + (a - offset), part.rows, simdFlag)
                            }
                            offset += part.rows
                        }
                    }
                }
            }
        }
        for ((m, bias), out) in zip(matrices, outputs) {
            guard let bias else { continue }
            out.withUnsafeMutableBufferPointer { o in
                bias.withUnsafeBufferPointer { b in
                    for t in 0..<tokens { for r in 0..<m.outputs { o[t * m.outputs + r] += b[r] } }
                }
            }
        }
        return outputs
    }

    /// The rows of x as Q8_0 blocks, split into f32 scales and int8 values for the kernel.
    private static func quantizeActivations(_ x: Tensor, blocks: Int, simd: Bool) -> (scales: [Float], values: [Int8]) {
        let bs = Quantize.blockSize, bb = Quantize.q8_0BlockBytes
        var packed = [UInt8](repeating: 0, count: blocks * bb)
        x.withUnsafeBufferPointer { src in
            packed.withUnsafeMutableBytes { dst in
                // The AVX2 quantizer directly (a decode step's few blocks need no thread split),
                // the reference code for whatever it leaves (non-finite values, tiny scales).
                let done = simd ? temper_q8_0_quantize_avx2(src.baseAddress, dst.baseAddress?.assumingMemoryBound(to: UInt8.self), blocks) : 0
                if done < blocks {
                    Quantize.quantizeQ8_0(UnsafeBufferPointer(rebasing: src[(done * bs)...]),
                                          into: UnsafeMutableRawBufferPointer(rebasing: dst[(done * bb)...]), simd: simd)
                }
            }
        }
        var scales = [Float](repeating: 0, count: blocks)
        var values = [Int8](repeating: 0, count: blocks * bs)
        packed.withUnsafeBytes { p in
            for b in 0..<blocks {
                let base = b * bb
                scales[b] = Float(Float16(bitPattern: UInt16(p[base]) | UInt16(p[base + 1]) << 8))
                for j in 0..<bs { values[b * bs + j] = Int8(bitPattern: p[base + 2 + j]) }
            }
        }
        return (scales, values)
    }
}

extension Linear {
    /// x·Wᵀ + b: int8 dot products on the Q8_0 blocks outside autograd, else the f32 sgemm.
    func product(_ x: Tensor) throws -> Tensor {
        if let quantized, !GradMode.isEnabled { return try quantized.apply(x, bias: bias) }
        return try linear(x, weight: weight, bias: bias)
    }
}

extension DecoderInput {
    /// `logits(_:head:bias:_:)` through the Q8_0 head when there is one and no graph is recorded.
    static func logits(_ final: Tensor, head: Tensor, quantized: Q8_0Matrix?, _ which: ForwardOptions.Logits) throws -> Tensor? {
        guard let quantized, !GradMode.isEnabled else { return try logits(final, head: head, bias: nil, which) }
        switch which {
        case .none: return nil
        case .all: return try quantized.apply(final)
        case .last:
            let t = final.shape[1]
            return try quantized.apply(final.slice(axis: 1, (t - 1)..<t))
        }
    }
}

/// The Q8_0 matrices of a llama.cpp GGUF by Hugging Face tensor name, rows in Hugging Face
/// order (llama.cpp's Q/K row permutation undone by moving whole rows of blocks, as
/// `LlamaGGUFMapping.unpermuteQK` moves rows of floats). Only 2-D Q8_0 tensors are listed;
/// every other tensor goes through the dequantized f32 path.
enum Q8_0Weights {
    /// With `int8`, the Q8_0 matrices of the GGUF file a model is read from; none otherwise.
    static func load(int8: Bool, gguf url: URL?) throws -> [String: Q8_0Matrix] {
        guard int8, let url else { return [:] }
        return try load(gguf: url)
    }

    static func load(gguf url: URL) throws -> [String: Q8_0Matrix] {
        let shards = try GGUFSplit.shards(of: try GGUFFile(url: url))
        let model = try GGUFHuggingFaceModel(shards)
        var out: [String: Q8_0Matrix] = [:]
        for t in model.tensors where t.info.type == .q8_0 && t.info.shape.count == 2 {
            let (rows, cols) = (t.info.shape[0], t.info.shape[1])
            var bytes = try shards[t.shard].withBytes(of: t.info) { [UInt8]($0) }
            if let heads = t.unpermuteHeads {
                bytes = try unpermuteRows(bytes, rows: rows, rowBytes: cols / Quantize.blockSize * Quantize.q8_0BlockBytes,
                                          heads: heads, tensor: t.info.name)
            }
            out[t.hfName] = try Q8_0Matrix(blocks: bytes, outputs: rows, inputs: cols, tensor: t.hfName)
        }
        return out
    }

    /// Row `h·perHead + j·half + i` of the result is row `h·perHead + 2i + j` of `bytes`.
    static func unpermuteRows(_ bytes: [UInt8], rows: Int, rowBytes: Int, heads: Int, tensor: String) throws -> [UInt8] {
        guard heads > 0, rows % (2 * heads) == 0, bytes.count == rows * rowBytes else {
            throw FormatError.invalidShape(path: "", tensor: tensor, reason: "cannot undo the Q/K permutation of \(rows) rows over \(heads) heads")
        }
        let perHead = rows / heads, half = perHead / 2
        var out = bytes
        for h in 0..<heads {
            for i in 0..<half {
                for j in 0..<2 {
                    let to = (h * perHead + j * half + i) * rowBytes, from = (h * perHead + 2 * i + j) * rowBytes
                    out.replaceSubrange(to..<(to + rowBytes), with: bytes[from..<(from + rowBytes)])
                }
            }
        }
        return out
    }
}
