import Foundation
import TemperFormats
import TemperTensor

/// Rotary position embedding settings of a config and the inverse frequencies they give,
/// computed in f32 step by step as transformers' `modeling_rope_utils` does.
///
/// Sources, in priority order (transformers' `standardize_rope_params`): `rope_parameters`
/// (transformers 5.x: `{rope_theta, rope_type, factor, …}`), else `rope_scaling` (4.x,
/// `rope_type` or `type`) with the top-level `rope_theta`; θ defaults to 10000.
public struct RoPEConfig: Sendable, Equatable {
    public enum Scaling: Sendable, Equatable {
        case none
        /// inv_freq / factor (`rope_type: linear`).
        case linear(factor: Float)
        /// Llama 3.1: long wavelengths divided by `factor`, short ones kept, the band
        /// between smoothly interpolated (`_compute_llama3_parameters`).
        case llama3(factor: Float, lowFreqFactor: Float, highFreqFactor: Float, originalMaxPositions: Int)
    }

    public var theta: Double
    public var scaling: Scaling

    public init(theta: Double = 10_000, scaling: Scaling = .none) {
        self.theta = theta
        self.scaling = scaling
    }

    /// 1 / θ^(2i/d) for i < d/2, then the scaling rule; all in f32 as torch computes it.
    public func inverseFrequencies(headDim: Int) -> [Float] {
        let half = headDim / 2
        let base = Float(theta)
        let plain: [Float] = (0..<half).map { i in 1 / Foundation.pow(base, Float(2 * i) / Float(headDim)) }
        switch scaling {
        case .none:
            return plain
        case let .linear(factor):
            return plain.map { $0 / factor }
        case let .llama3(factor, low, high, original):
            let old = Float(original)
            let lowWavelength = Float(Double(original) / Double(low))
            let highWavelength = Float(Double(original) / Double(high))
            let twoPi = Float(2 * Double.pi)
            let spread = Float(Double(high) - Double(low))
            return plain.map { inv in
                let wavelength = twoPi / inv
                let scaled = wavelength > lowWavelength ? inv / factor : inv
                let isMedium = !(wavelength < highWavelength) && !(wavelength > lowWavelength)
                guard isMedium else { return scaled }
                let smooth = (old / wavelength - low) / spread
                return (1 - smooth) * scaled / factor + smooth * scaled
            }
        }
    }

    /// The cos/sin table for `positions` (TemperTensor's `rotate_half` layout).
    func table(headDim: Int, positions: [Int]) throws -> RoPETable {
        try RoPETable(inverseFrequencies: inverseFrequencies(headDim: headDim), positions: positions)
    }
}

/// The members of `rope_parameters` / `rope_scaling`, from the shared config.json decoder.
typealias RoPEParameters = LlamaConfigJSON.RopeFields

extension RoPEConfig {
    /// Resolves the config's rope fields (see the type comment); `field` names the source in errors.
    init(parameters: RoPEParameters?, scaling: RoPEParameters?, topLevelTheta: Double?,
         maxPositions: Int, path: String) throws {
        let source = parameters ?? scaling
        let field = parameters != nil ? "rope_parameters" : "rope_scaling"
        let theta = source?.rope_theta ?? topLevelTheta ?? 10_000
        guard theta > 0, theta.isFinite else {
            throw ModelError.invalidConfigField(path: path, field: "rope_theta", reason: "must be positive, got \(theta)")
        }
        if let partial = source?.partial_rotary_factor, partial != 1 {
            throw ModelError.unsupportedConfig(path: path, field: "\(field).partial_rotary_factor", value: "\(partial)")
        }
        func number(_ value: Double?, _ name: String) throws -> Float {
            guard let value else { throw ModelError.invalidConfigField(path: path, field: "\(field).\(name)", reason: "missing") }
            guard value > 0, value.isFinite else {
                throw ModelError.invalidConfigField(path: path, field: "\(field).\(name)", reason: "must be positive, got \(value)")
            }
            return Float(value)
        }
        let kind = source?.rope_type ?? source?.type ?? "default"
        switch kind {
        case "default":
            self.init(theta: theta)
        case "linear":
            self.init(theta: theta, scaling: .linear(factor: try number(source?.factor, "factor")))
        case "llama3":
            let low = try number(source?.low_freq_factor, "low_freq_factor")
            let high = try number(source?.high_freq_factor, "high_freq_factor")
            guard high != low else {
                throw ModelError.invalidConfigField(path: path, field: "\(field).high_freq_factor", reason: "equals low_freq_factor")
            }
            let original = source?.original_max_position_embeddings ?? maxPositions
            guard original > 0 else {
                throw ModelError.invalidConfigField(path: path, field: "\(field).original_max_position_embeddings", reason: "must be positive")
            }
            self.init(theta: theta, scaling: .llama3(factor: try number(source?.factor, "factor"), lowFreqFactor: low,
                                                     highFreqFactor: high, originalMaxPositions: original))
        default:
            throw ModelError.unsupportedConfig(path: path, field: "\(field).rope_type", value: kind)
        }
    }
}
