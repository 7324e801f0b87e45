/// ggml tensor element types as GGUF stores them. Raw values are ggml's numbers
/// (`enum ggml_type`); ids that ggml retired (4, 5, 31–33, 36–38) are never reused here.
/// Which types Temper can dequantize: `GGMLDequantize.supportedTypes`.
/// Block and type sizes follow gguf-py's `GGML_QUANT_SIZES`.
public enum GGMLType: UInt32, CaseIterable, Sendable, Codable {
    case f32 = 0, f16 = 1
    case q4_0 = 2, q4_1 = 3
    case q5_0 = 6, q5_1 = 7
    case q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case iq2_XXS = 16, iq2_XS = 17, iq3_XXS = 18, iq1_S = 19, iq4_NL = 20
    case iq3_S = 21, iq2_S = 22, iq4_XS = 23
    case i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28
    case iq1_M = 29, bf16 = 30
    case tq1_0 = 34, tq2_0 = 35
    case mxfp4 = 39, nvfp4 = 40, q1_0 = 41, q2_0 = 42

    /// Elements per block (`QK_K` = 256 for the k-quants and i-quants).
    public var blockSize: Int { Self.sizes(self).block }

    /// Bytes per block.
    public var typeSize: Int { Self.sizes(self).type }

    /// The name ggml and gguf-py print (`Q8_0`, `BF16`, …).
    public var name: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .bf16: return "BF16"
        case .f64: return "F64"
        case .i8: return "I8"
        case .i16: return "I16"
        case .i32: return "I32"
        case .i64: return "I64"
        default: return String(describing: self).uppercased()
        }
    }

    /// The safetensors dtype with the same element layout, for the plain (non-block) types.
    public var dtype: DType? {
        switch self {
        case .f32: return .f32
        case .f16: return .f16
        case .bf16: return .bf16
        case .f64: return .f64
        case .i8: return .i8
        case .i16: return .i16
        case .i32: return .i32
        case .i64: return .i64
        default: return nil
        }
    }

    /// Whether elements are packed in multi-element blocks (the quantized types).
    public var isBlockQuantized: Bool { blockSize > 1 }

    /// Bytes taken by `elements` values, or nil when `elements` is not a whole number of
    /// blocks or the size overflows.
    public func byteCount(elements: UInt64) -> UInt64? {
        let block = UInt64(blockSize)
        guard elements % block == 0 else { return nil }
        let (bytes, overflow) = (elements / block).multipliedReportingOverflow(by: UInt64(typeSize))
        return overflow ? nil : bytes
    }

    private static let qkK = 256

    private static func sizes(_ t: GGMLType) -> (block: Int, type: Int) {
        let k = qkK
        switch t {
        case .f32: return (1, 4)
        case .f16: return (1, 2)
        case .q4_0: return (32, 2 + 16)
        case .q4_1: return (32, 2 + 2 + 16)
        case .q5_0: return (32, 2 + 4 + 16)
        case .q5_1: return (32, 2 + 2 + 4 + 16)
        case .q8_0: return (32, 2 + 32)
        case .q8_1: return (32, 2 + 2 + 32)
        case .q2_K: return (k, 2 + 2 + k / 16 + k / 4)
        case .q3_K: return (k, 2 + k / 4 + k / 8 + 12)
        case .q4_K: return (k, 2 + 2 + k / 2 + 12)
        case .q5_K: return (k, 2 + 2 + k / 2 + k / 8 + 12)
        case .q6_K: return (k, 2 + k / 2 + k / 4 + k / 16)
        case .q8_K: return (k, 4 + k + k / 8)
        case .iq2_XXS: return (k, 2 + k / 4)
        case .iq2_XS: return (k, 2 + k / 4 + k / 32)
        case .iq3_XXS: return (k, 2 + k / 4 + k / 8)
        case .iq1_S: return (k, 2 + k / 8 + k / 16)
        case .iq4_NL: return (32, 2 + 16)
        case .iq3_S: return (k, 2 + k / 4 + k / 8 + k / 32 + 4)
        case .iq2_S: return (k, 2 + k / 4 + k / 16)
        case .iq4_XS: return (k, 2 + 2 + k / 2 + k / 64)
        case .i8: return (1, 1)
        case .i16: return (1, 2)
        case .i32: return (1, 4)
        case .i64: return (1, 8)
        case .f64: return (1, 8)
        case .iq1_M: return (k, k / 8 + k / 16 + k / 32)
        case .bf16: return (1, 2)
        case .tq1_0: return (k, 2 + 4 * 13)
        case .tq2_0: return (k, 2 + 64)
        case .mxfp4: return (32, 1 + 16)
        case .nvfp4: return (64, 4 + 32)
        case .q1_0: return (128, 2 + 16)
        case .q2_0: return (64, 2 + 16)
        }
    }
}
