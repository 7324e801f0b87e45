import Foundation

/// Every ggml tensor type llama.cpp writes, decoded to f32 exactly as gguf-py's
/// `quants.dequantize` does: the same f32 operations in the same order, so the bits agree
/// (tested per type against gguf-py output in Fixtures/formats/gguf/dequant). Q8_K, Q1_0 and
/// Q2_0, which gguf-py cannot decode, follow ggml-quants.c `dequantize_row_*`.
/// Q8_1 is an activation-only type ggml itself cannot decode, and the integer types
/// (I8–I64) have no f32 reading in gguf-py; both are refused (`unsupportedConversion`).
public enum GGMLDequantize {
    /// Decodes whole blocks: `src` holds `dst.count / blockSize` blocks.
    typealias Kernel = @Sendable (UnsafeRawBufferPointer, UnsafeMutableBufferPointer<Float>) -> Void

    /// The types `decode` handles: the float and block types, all but Q8_1.
    public static let supportedTypes: [GGMLType] = GGMLType.allCases.filter { ![.q8_1, .i8, .i16, .i32, .i64].contains($0) }

    /// Decodes `count` elements of `type` from `bytes` to row-major f32.
    /// `tensor` and `path` name the tensor in errors. The f32 buffer (4 × count bytes) is
    /// checked against `MemoryBudget` before it is allocated.
    public static func decode(_ bytes: UnsafeRawBufferPointer, as type: GGMLType, count: Int,
                              tensor: String = "", path: String = "") throws -> [Float] {
        try MemoryBudget.require(MemoryBudget.f32Bytes(count), for: "the f32 values of the dequantized tensor", path: path, tensor: tensor)
        var out = [Float](repeating: 0, count: max(count, 0))
        try out.withUnsafeMutableBufferPointer { try decode(bytes, as: type, into: $0, tensor: tensor, path: path) }
        return out
    }

    /// Decodes into `dst`, whose count is the element count.
    public static func decode(_ bytes: UnsafeRawBufferPointer, as type: GGMLType, into dst: UnsafeMutableBufferPointer<Float>,
                              tensor: String = "", path: String = "") throws {
        let count = dst.count
        guard count % type.blockSize == 0 else {
            throw FormatError.invalidBlockShape(path: path, tensor: tensor, shape: [count], blockSize: type.blockSize)
        }
        guard let expected = type.byteCount(elements: UInt64(count)), expected == UInt64(bytes.count) else {
            throw FormatError.byteLengthMismatch(path: path, tensor: tensor, shape: [count], dtype: type.name,
                                                 expected: type.byteCount(elements: UInt64(count)) ?? 0, actual: UInt64(bytes.count))
        }
        if let plain = type.dtype {
            guard HalfPrecision.readableTypes.contains(plain) else {
                throw FormatError.unsupportedConversion(tensor: tensor, from: type.name, to: "F32")
            }
            try HalfPrecision.toFloat32(bytes, dtype: plain, into: dst, tensor: tensor)
            return
        }
        guard let kernel = kernel(type) else {
            throw FormatError.unsupportedConversion(tensor: tensor, from: type.name, to: "F32")
        }
        run(kernel, bytes, dst, typeSize: type.typeSize, blockSize: type.blockSize)
    }

    static func kernel(_ type: GGMLType) -> Kernel? {
        switch type {
        case .q4_0: return Quantize.dequantizeQ4_0
        case .q8_0: return Quantize.dequantizeQ8_0
        case .q4_1: return GGMLLegacyBlocks.q4_1
        case .q5_0: return GGMLLegacyBlocks.q5_0
        case .q5_1: return GGMLLegacyBlocks.q5_1
        case .q1_0: return GGMLLegacyBlocks.q1_0
        case .q2_0: return GGMLLegacyBlocks.q2_0
        case .iq4_NL: return GGMLLegacyBlocks.iq4_nl
        case .mxfp4: return GGMLLegacyBlocks.mxfp4
        case .nvfp4: return GGMLLegacyBlocks.nvfp4
        case .tq1_0: return GGMLLegacyBlocks.tq1_0
        case .tq2_0: return GGMLLegacyBlocks.tq2_0
        case .q2_K: return GGMLKQuantBlocks.q2_K
        case .q3_K: return GGMLKQuantBlocks.q3_K
        case .q4_K: return GGMLKQuantBlocks.q4_K
        case .q5_K: return GGMLKQuantBlocks.q5_K
        case .q6_K: return GGMLKQuantBlocks.q6_K
        case .q8_K: return GGMLKQuantBlocks.q8_K
        case .iq4_XS: return GGMLKQuantBlocks.iq4_xs
        case .iq2_XXS: return GGMLIQuantBlocks.iq2_xxs
        case .iq2_XS: return GGMLIQuantBlocks.iq2_xs
        case .iq2_S: return GGMLIQuantBlocks.iq2_s
        case .iq3_XXS: return GGMLIQuantBlocks.iq3_xxs
        case .iq3_S: return GGMLIQuantBlocks.iq3_s
        case .iq1_S: return GGMLIQuantBlocks.iq1_s
        case .iq1_M: return GGMLIQuantBlocks.iq1_m
        case .q8_1, .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64: return nil
        }
    }

    /// Splits the blocks over the cores in chunks (the kernels are pure per block).
    static func run(_ kernel: @escaping Kernel, _ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>,
                    typeSize: Int, blockSize: Int) {
        let blocks = dst.count / blockSize
        guard blocks > 0, let s = src.baseAddress, let d = dst.baseAddress else { return }
        let sp = SendableAddress(UnsafeMutableRawPointer(mutating: s)), dp = SendableAddress(UnsafeMutableRawPointer(d))
        let perTask = max(1, 16384 / blockSize)          // ~64 KB of output per chunk
        let chunks = (blocks + perTask - 1) / perTask
        let body: @Sendable (Int) -> Void = { c in
            let lo = c * perTask, hi = min(blocks, lo + perTask)
            kernel(UnsafeRawBufferPointer(start: sp.raw + lo * typeSize, count: (hi - lo) * typeSize),
                   UnsafeMutableBufferPointer(start: dp.raw.assumingMemoryBound(to: Float.self) + lo * blockSize, count: (hi - lo) * blockSize))
        }
        if chunks < 4 || ProcessInfo.processInfo.activeProcessorCount < 2 {
            for c in 0..<chunks { body(c) }
        } else {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: body)
        }
    }
}

/// Per-block reading helpers shared by the kernels.
@inline(__always) func f16At(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
    Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))))
}

@inline(__always) func u16At(_ p: UnsafeRawPointer, _ offset: Int) -> UInt16 {
    UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
}

@inline(__always) func u32At(_ p: UnsafeRawPointer, _ offset: Int) -> UInt32 {
    UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
}

/// Calls `body` with each block's bytes and its output.
@inline(__always) func forEachBlock(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>,
                                    typeSize: Int, blockSize: Int,
                                    _ body: (UnsafeRawPointer, UnsafeMutablePointer<Float>) -> Void) {
    guard let s = src.baseAddress, let d = dst.baseAddress else { return }
    let blocks = min(src.count / typeSize, dst.count / blockSize)
    for b in 0..<blocks { body(s + b * typeSize, d + b * blockSize) }
}
