import CTemperKernels
import Foundation
import TemperFormats
import TemperTensor

/// A Q8_0 weight matrix [outputs, inputs] multiplied without dequantizing, as llama.cpp's CPU
/// backend does (ggml-cpu `ggml_vec_dot_q8_0_q8_0`): each row of the input is quantized to
/// Q8_0 blocks (`Quantize.quantizeQ8_0`, the reference rounding), every output is Σ over
/// blocks, in order, of d_w·d_x·(int32 Σ q_w·q_x). The blocks are regrouped once, 16 rows to
/// a group, for the kernel (`temper_q8_0_pack`, CTemperKernels q8_0_gemm.c: one row per SIMD
/// lane, AVX-512 VNNI where the CPU has it). Inference only: the result records no autograd graph.
final class Q8_0Matrix: @unchecked Sendable {
    // @unchecked: `packed` is immutable after init.
    let outputs: Int, inputs: Int
    /// The blocks in the kernel's layout (`temper_q8_0_pack`; rows padded to a multiple of 16).
    let packed: [UInt8]
    private var blocksPerRow: Int { inputs / Quantize.blockSize }
    private static let groupRows = Int(TEMPER_Q8_0_GROUP_ROWS)

    /// The kernels `apply` can run; all give the same bits. Each falls back to the next lower
    /// one on CPUs without it.
    enum Kernel: Int32 { case portable = 0, avx2 = 1, avxVNNI = 2, avx512VNNI = 3 }

    /// `blocks`: outputs × inputs/32 ggml Q8_0 blocks (34 bytes each), row after row.
    init(blocks: [UInt8], outputs: Int, inputs: Int, tensor: String) throws {
        let nb = inputs / Quantize.blockSize
        let (perRow, overflow) = nb.multipliedReportingOverflow(by: Quantize.q8_0BlockBytes)
        let groups = outputs / Self.groupRows + (outputs % Self.groupRows == 0 ? 0 : 1)
        let (packedBytes, packedOverflow) = (groups * Self.groupRows).multipliedReportingOverflow(by: perRow)
        guard outputs > 0, inputs > 0, inputs % Quantize.blockSize == 0, !overflow, !packedOverflow,
              outputs.multipliedReportingOverflow(by: perRow) == (blocks.count, false) else {
            throw ModelError.shapeMismatch(path: "", tensor: tensor, expected: [outputs, inputs], actual: [blocks.count])
        }
        packed = [UInt8](unsafeUninitializedCapacity: packedBytes) { out, count in
            blocks.withUnsafeBufferPointer { temper_q8_0_pack($0.baseAddress, outputs, nb, out.baseAddress) }
            count = packedBytes
        }
        self.outputs = outputs; self.inputs = inputs
    }

    /// The ggml Q8_0 blocks back, row after row (what `init` was given).
    var blocks: [UInt8] {
        let count = outputs * blocksPerRow * Quantize.q8_0BlockBytes
        return [UInt8](unsafeUninitializedCapacity: count) { out, n in
            packed.withUnsafeBufferPointer { temper_q8_0_unpack($0.baseAddress, outputs, blocksPerRow, out.baseAddress) }
            n = count
        }
    }

    /// Bytes of weights one product streams (what decode reads per token).
    var byteCount: Int { packed.count }

    /// `apply` for several matrices with the same inputs (q/k/v, gate/up), one after another.
    /// (Merging them into one parallel region, as the f32 path does, would also quantize x
    /// once; not done for the regrouped kernel yet.)
    static func apply(_ matrices: [(matrix: Q8_0Matrix, bias: Tensor?)], to x: Tensor) throws -> [Tensor] {
        try matrices.map { try $0.matrix.apply(x, bias: $0.bias) }
    }

    /// x·Wᵀ (+ bias) for x [..., inputs] → [..., outputs], with `kernel` or the best below it
    /// this CPU has (all give the same bits).
    func apply(_ x: Tensor, bias: Tensor? = nil, kernel: Kernel = .avx512VNNI) throws -> Tensor {
        guard x.rank >= 1, x.shape[x.rank - 1] == inputs, bias.map({ $0.shape == [outputs] }) ?? true else {
            throw ModelError.shapeMismatch(path: "", tensor: "q8_0 linear", expected: [outputs, inputs], actual: x.shape)
        }
        let tokens = x.count / inputs, nb = blocksPerRow, simd = kernel != .portable
        // Activations as Q8_0, split into f32 scales, int8 values and the kernel's corrections.
        var packedX = [UInt8](repeating: 0, count: tokens * nb * Quantize.q8_0BlockBytes)
        x.withUnsafeBufferPointer { src in
            packedX.withUnsafeMutableBytes { dst in
                // The AVX2 quantizer directly (a decode step's few blocks need no thread split),
                // the reference code for whatever it leaves (non-finite values, tiny scales).
                let blocks = tokens * nb, bs = Quantize.blockSize, bb = Quantize.q8_0BlockBytes
                let done = simd ? temper_q8_0_quantize_avx2(src.baseAddress, dst.baseAddress?.assumingMemoryBound(to: UInt8.self), blocks) : 0
                if done < blocks {
                    Quantize.quantizeQ8_0(UnsafeBufferPointer(rebasing: src[(done * bs)...]),
                                          into: UnsafeMutableRawBufferPointer(rebasing: dst[(done * bb)...]), simd: simd)
                }
            }
        }
        var scales = [Float](repeating: 0, count: tokens * nb)
        var values = [Int8](repeating: 0, count: tokens * nb * Quantize.blockSize)
        var corrections = [Int32](repeating: 0, count: tokens * nb)
        packedX.withUnsafeBufferPointer { p in
            temper_q8_0_split(p.baseAddress, tokens * nb, &scales, &values, &corrections)
        }
        let out = try Tensor.zeros(Array(x.shape.dropLast()) + [outputs])
        let (rows, level, groupRows) = (outputs, kernel.rawValue, Self.groupRows)
        try out.withUnsafeMutableBufferPointer { o in
            guard let op = o.baseAddress else { return }
            let outAddress = UInt(bitPattern: op)
            packed.withUnsafeBufferPointer { w in
                guard let wp = w.baseAddress else { return }
                let wAddress = UInt(bitPattern: wp)
                scales.withUnsafeBufferPointer { xd in
                    values.withUnsafeBufferPointer { xs in
                        corrections.withUnsafeBufferPointer { xc in
                            let (xdAddress, xsAddress, xcAddress) = (UInt(bitPattern: xd.baseAddress), UInt(bitPattern: xs.baseAddress),
                                                                     UInt(bitPattern: xc.baseAddress))
                            // Groups of 16 rows split into up to 4 tasks per core (≥ 4 k blocks, 136 kB of weights,
                            // each): the first runs while the other workers wake, whoever is free takes the next.
                            let groups = (rows + groupRows - 1) / groupRows
                            let tasks = max(1, min(4 * TensorBackend.threads, groups, rows * nb * tokens / 4096))
                            let chunk = (groups + tasks - 1) / tasks * groupRows
                            TensorBackend.perform(tasks) { t in
                                let lo = t * chunk, hi = min(rows, lo + chunk)
                                guard lo < hi, let w = UnsafePointer<UInt8>(bitPattern: wAddress),
                                      let d = UnsafePointer<Float>(bitPattern: xdAddress), let s = UnsafePointer<Int8>(bitPattern: xsAddress),
                                      let c = UnsafePointer<Int32>(bitPattern: xcAddress),
                                      let y = UnsafeMutablePointer<Float>(bitPattern: outAddress) else { return }
                                temper_q8_0_gemm(w + lo * nb * Quantize.q8_0BlockBytes, hi - lo, nb, d, s, c, tokens, y + lo, rows, level)
                            }
                        }
                    }
                }
            }
            if let bias {
                bias.withUnsafeBufferPointer { b in
                    for t in 0..<tokens { for r in 0..<rows { o[t * rows + r] += b[r] } }
                }
            }
        }
        return out
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
