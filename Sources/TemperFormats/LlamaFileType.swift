/// llama.cpp's file types (`enum llama_ftype`) under the names `llama-quantize` takes
/// (`QUANT_OPTIONS` in tools/quantize/quantize.cpp, matched case-insensitively), limited to
/// the ones whose tensor types Temper writes bit-identically. The raw value is the number
/// stored as `general.file_type`.
public enum LlamaFileType: UInt32, CaseIterable, Sendable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q8_0 = 7, q5_0 = 8, q5_1 = 9
    case q2_K = 10, q3_K_S = 11, q3_K_M = 12, q3_K_L = 13, q4_K_S = 14, q4_K_M = 15
    case q5_K_S = 16, q5_K_M = 17, q6_K = 18, iq4_NL = 25, iq4_XS = 30, bf16 = 32

    /// The name `llama-quantize` prints (`Q4_K_M`).
    public var name: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .bf16: return "BF16"
        default: return String(describing: self).uppercased()
        }
    }

    /// `llama-quantize`'s aliases: Q3_K, Q4_K and Q5_K mean the _M mixtures.
    static let aliases: [String: LlamaFileType] = ["q3_k": .q3_K_M, "q4_k": .q4_K_M, "q5_k": .q5_K_M]

    /// Names `llama-quantize` knows that Temper does not write (i-quants below 4 bits need
    /// an importance matrix or grid searches Temper does not have; ternary and MXFP4 types).
    public static let unsupportedNames = ["q1_0", "q2_0", "mxfp4_moe", "iq2_xxs", "iq2_xs", "iq2_s", "iq2_m", "iq1_s", "iq1_m",
                                          "tq1_0", "tq2_0", "q2_k_s", "iq3_xxs", "iq3_s", "iq3_m", "iq3_xs", "copy"]

    /// Every accepted name, lowercased, aliases included.
    public static var names: [String] { allCases.map { $0.name.lowercased() } + aliases.keys.sorted() }

    /// Looks a name up as `llama-quantize` does (case-insensitive), or nil.
    public init?(name: String) {
        let lower = name.lowercased()
        if let alias = Self.aliases[lower] { self = alias; return }
        guard let match = Self.allCases.first(where: { $0.name.lowercased() == lower }) else { return nil }
        self = match
    }

    /// `llama_ftype_get_default_type`: the type of every quantizable tensor before the
    /// mixture's per-tensor choices.
    public var defaultType: GGMLType {
        switch self {
        case .f32: return .f32
        case .f16: return .f16
        case .bf16: return .bf16
        case .q4_0: return .q4_0
        case .q4_1: return .q4_1
        case .q5_0: return .q5_0
        case .q5_1: return .q5_1
        case .q8_0: return .q8_0
        case .q2_K: return .q2_K
        case .q3_K_S, .q3_K_M, .q3_K_L: return .q3_K
        case .q4_K_S, .q4_K_M: return .q4_K
        case .q5_K_S, .q5_K_M: return .q5_K
        case .q6_K: return .q6_K
        case .iq4_NL: return .iq4_NL
        case .iq4_XS: return .iq4_XS
        }
    }
}
