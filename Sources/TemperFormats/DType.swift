/// Element types of safetensors files. Raw values are the spec's dtype strings.
/// Types without arithmetic support here (F8_*, F6/F4 packings, …) are carried as raw bytes.
public enum DType: String, CaseIterable, Sendable, Codable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
    case u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8"
    case bool = "BOOL"
    case f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2", f8e8m0 = "F8_E8M0"
    case c64 = "C64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f64, .i64, .u64, .c64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool, .f8e4m3, .f8e5m2, .f8e8m0: return 1
        }
    }

    /// Whether Temper can read the values as numbers (f32/f16/bf16/f64 convert to f32).
    public var isFloatingPoint: Bool { [.f64, .f32, .f16, .bf16].contains(self) }
}
