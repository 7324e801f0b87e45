/// Every block type Temper writes, routed to its block function: Q8_0/Q4_0 (bit-identical
/// with gguf-py and ggml), and Q4_1, Q5_0, Q5_1, Q2_K…Q6_K, IQ4_NL, IQ4_XS bit-identical
/// with ggml's importance-matrix-free quantizers (`ggml_quantize_chunk` without imatrix,
/// which is what `llama-quantize` runs). Blocks are independent, so any split over threads
/// gives the same bytes.
public enum BlockQuantizer {
    typealias BlockFunction = @Sendable (UnsafePointer<Float>, UnsafeMutableRawPointer) -> Void

    /// The block types `quantize` writes.
    public static let types: [GGMLType] = [.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .iq4_NL, .iq4_XS]

    static func blockFunction(_ type: GGMLType) -> BlockFunction? {
        switch type {
        case .q8_0: return Quantize.q8_0Block
        case .q4_0: return Quantize.q4_0Block
        case .q4_1: return LegacyQuants.q4_1Block
        case .q5_0: return LegacyQuants.q5_0Block
        case .q5_1: return LegacyQuants.q5_1Block
        case .q2_K: return Q2Q3KQuants.q2_KBlock
        case .q3_K: return Q2Q3KQuants.q3_KBlock
        case .q4_K: return Q4Q5Q6KQuants.q4_KBlock
        case .q5_K: return Q4Q5Q6KQuants.q5_KBlock
        case .q6_K: return Q4Q5Q6KQuants.q6_KBlock
        case .iq4_NL: return IQ4Quants.iq4_NLBlock
        case .iq4_XS: return IQ4Quants.iq4_XSBlock
        default: return nil
        }
    }

    typealias BlocksFunction = @Sendable (UnsafePointer<Float>, UnsafeMutableRawPointer, Int) -> Void

    /// The types whose super-blocks are quantized several at a time (their scale searches run
    /// on the lane kernels of CTemperKernels, one sub-block per SIMD lane).
    static func blocksFunction(_ type: GGMLType) -> BlocksFunction? {
        switch type {
        case .q2_K: return { Q2Q3KQuants.q2_KBlocks($0, $1, $2) }
        case .q3_K: return { Q2Q3KQuants.q3_KBlocks($0, $1, $2) }
        case .q4_K: return { Q4Q5Q6KQuants.q4_KBlocks($0, $1, $2) }
        case .q5_K: return { Q4Q5Q6KQuants.q5_KBlocks($0, $1, $2) }
        case .q6_K: return { Q4Q5Q6KQuants.q6_KBlocks($0, $1, $2) }
        default: return nil
        }
    }

    /// Blocks per task below which splitting over threads does not pay (K-quant blocks
    /// cost ~100× a Q8_0 block).
    static func grain(_ type: GGMLType) -> Int {
        switch type {
        case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1: return 8192
        default: return 64
        }
    }

    /// Quantizes whole blocks of `src` into `dst` (as many as both hold). Returns false when
    /// `type` is not a type this writes.
    @discardableResult
    public static func quantize(_ src: UnsafeBufferPointer<Float>, as type: GGMLType, into dst: UnsafeMutableRawBufferPointer) -> Bool {
        if type == .q8_0 { Quantize.quantizeQ8_0(src, into: dst); return true }
        guard let block = blockFunction(type) else { return false }
        let n = type.blockSize, size = type.typeSize
        let blocks = min(src.count / n, dst.count / size)
        guard blocks > 0, let s = src.baseAddress, let d = dst.baseAddress else { return true }
        let sp = SendableAddress(UnsafeMutableRawPointer(mutating: s)), dp = SendableAddress(d)
        let many = blocksFunction(type)
        Quantize.parallel(blocks, grain: grain(type)) { range in
            let s = sp.raw.assumingMemoryBound(to: Float.self), d = dp.raw
            if let many {
                many(s + range.lowerBound * n, d + range.lowerBound * size, range.count)
            } else {
                for b in range { block(s + b * n, d + b * size) }
            }
        }
        return true
    }
}
