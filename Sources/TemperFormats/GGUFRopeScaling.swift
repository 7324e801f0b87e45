import Foundation

/// RoPE scaling as a GGUF can express it, read the way convert_hf_to_gguf reads it
/// (llama.cpp `conversion/base.py` `TextModel.__init__` / `set_gguf_parameters`, and
/// `conversion/llama.py` `LlamaModel.generate_extra_tensors` for `llama3`).
public enum GGUFRopeScaling: Sendable, Equatable {
    case none
    /// `{arch}.rope.scaling.type = linear`, `.factor`.
    case linear(factor: Double)
    /// `{arch}.rope.scaling.type = yarn`, `.factor`, `.original_context_length` and the
    /// optional YaRN knobs, each written only when the config has it.
    case yarn(factor: Double, originalContext: Int, extrapolationFactor: Double?, attentionFactor: Double?,
              betaFast: Double?, betaSlow: Double?)
    /// No scaling keys; a `rope_freqs.weight` tensor of per-dimension divisors instead.
    case llama3(factor: Double, lowFreqFactor: Double, highFreqFactor: Double, originalContext: Int)

    typealias Raw = LlamaConfigJSON.RopeFields

    /// convert_hf_to_gguf: `rope_type` (else 4.x `type`); `linear`/`yarn` need `factor`;
    /// `llama3` takes convert's defaults (8, 1, 4, 8192) for missing members. Types convert
    /// cannot express (longrope/su writes a bare type and needs factor tensors; dynamic is
    /// left to model classes; unknown ones only warn) are refused, naming the field.
    init(raw: Raw?, field: String, path: String) throws {
        guard let raw, let kind = raw.rope_type ?? raw.type else { self = .none; return }
        func refuse(_ what: String, _ value: String, _ reason: String) -> FormatError {
            .unsupportedConfigField(path: path, field: "\(field).\(what)", value: value, reason: reason)
        }
        if let partial = raw.partial_rotary_factor, partial != 1 {
            throw refuse("partial_rotary_factor", "\(partial)", "llama.cpp's llama/qwen2 rotate every head dimension")
        }
        func positive(_ v: Double?, _ name: String) throws -> Double {
            guard let v else { throw refuse(name, "missing", "rope_type \(kind) needs it") }
            guard v.isFinite, v > 0 else { throw refuse(name, "\(v)", "must be positive and finite") }
            return v
        }
        switch kind.lowercased() {
        case "default": self = .none
        case "linear": self = .linear(factor: try positive(raw.factor, "factor"))
        case "yarn":
            guard let original = raw.original_max_position_embeddings else {
                throw refuse("original_max_position_embeddings", "missing", "rope_type yarn needs it")
            }
            guard original > 0, original <= Int(UInt32.max) else {
                throw refuse("original_max_position_embeddings", "\(original)", "must be in 1...\(UInt32.max)")
            }
            self = .yarn(factor: try positive(raw.factor, "factor"), originalContext: original,
                         extrapolationFactor: raw.extrapolation_factor, attentionFactor: raw.attention_factor ?? raw.attn_factor,
                         betaFast: raw.beta_fast, betaSlow: raw.beta_slow)
        case "llama3":
            let low = try positive(raw.low_freq_factor ?? 1, "low_freq_factor")
            let high = try positive(raw.high_freq_factor ?? 4, "high_freq_factor")
            guard low != high else { throw refuse("high_freq_factor", "\(high)", "equals low_freq_factor (the smooth band would divide by zero)") }
            let original = raw.original_max_position_embeddings ?? 8192
            guard original > 0 else { throw refuse("original_max_position_embeddings", "\(original)", "must be positive") }
            self = .llama3(factor: try positive(raw.factor ?? 8, "factor"), lowFreqFactor: low, highFreqFactor: high, originalContext: original)
        default:
            throw refuse(raw.rope_type != nil ? "rope_type" : "type", kind,
                         "GGUF export supports default, linear, yarn and llama3 RoPE (longrope, dynamic and others are not expressible here)")
        }
    }

    /// The `{arch}.rope.scaling.*` keys in convert_hf_to_gguf's order (before `rope.freq_base`).
    func metadata(arch a: String) -> [GGUFKeyValue] {
        func f32(_ v: Double) -> GGUFValue { .float32(Float(v)) }
        switch self {
        case .none, .llama3: return []
        case let .linear(factor):
            return [GGUFKeyValue("\(a).rope.scaling.type", .string("linear")), GGUFKeyValue("\(a).rope.scaling.factor", f32(factor))]
        case let .yarn(factor, original, ext, attn, fast, slow):
            var kv = [GGUFKeyValue("\(a).rope.scaling.type", .string("yarn")), GGUFKeyValue("\(a).rope.scaling.factor", f32(factor)),
                      GGUFKeyValue("\(a).rope.scaling.original_context_length", .uint32(UInt32(original)))]
            if let ext { kv.append(GGUFKeyValue("\(a).rope.scaling.yarn_ext_factor", f32(ext))) }
            if let attn { kv.append(GGUFKeyValue("\(a).rope.scaling.yarn_attn_factor", f32(attn))) }
            if let fast { kv.append(GGUFKeyValue("\(a).rope.scaling.yarn_beta_fast", f32(fast))) }
            if let slow { kv.append(GGUFKeyValue("\(a).rope.scaling.yarn_beta_slow", f32(slow))) }
            return kv
        }
    }

    /// `rope_freqs.weight` for `llama3` (nil otherwise): per frequency 1 (short wavelengths),
    /// `factor` (long), or 1 / ((1 − s)/factor + s) in between, as `generate_extra_tensors`
    /// computes it: every step on f32 torch tensors, Python scalars rounded to f32 on use.
    func ropeFreqs(theta: Double, headDim: Int) -> [Float]? {
        guard case let .llama3(factor, low, high, original) = self else { return nil }
        let base = Float(theta), dim = Float(headDim), old = Float(original)
        let lowWavelen = Float(Double(original) / low), highWavelen = Float(Double(original) / high)
        let twoPi = Float(2 * Double.pi), spread = Float(high - low)
        return stride(from: 0, to: headDim, by: 2).map { i -> Float in
            let freq = 1 / Foundation.pow(base, Float(i) / dim)
            let wavelen = twoPi / freq
            if wavelen < highWavelen { return 1 }
            if wavelen > lowWavelen { return Float(factor) }
            let smooth = (old / wavelen - Float(low)) / spread
            return 1 / ((1 - smooth) / Float(factor) + smooth)
        }
    }
}
