import Foundation

/// The JSON report of `temper audit degeneracy` (Formats/audit-report.md, "degeneracy").
public struct DegeneracyReport: Codable, Sendable {
    public struct Settings: Codable, Sendable, Equatable {
        public var threshold: Double
        public var intervals: Int
        public var maxTokens: Int
        public var edgeTokens: Int
        public var ablationTokens: Int
        public var basisFormula: String
        /// Random sources per batch of the "jacobian" formula (0 = exact); absent for "(1-0)*alpha".
        public var jacobianSources: Int?
        /// rib's edge formula ("functional" or "squared") and, for squared, its sources (0 = exact).
        public var edgeFormula: String?
        public var edgeSources: Int?
        enum CodingKeys: String, CodingKey {
            case threshold, intervals, maxTokens = "max_tokens", edgeTokens = "edge_tokens", ablationTokens = "ablation_tokens"
            case basisFormula = "basis_formula", jacobianSources = "jacobian_sources", edgeFormula = "edge_formula", edgeSources = "edge_sources"
        }
    }

    public struct Layer: Codable, Sendable, Equatable {
        public var name: String
        public var hidden: Int
        /// Basis width: hidden + 1 on residual layers (the constant-1 coordinate), hidden on logits.
        public var width: Int
        public var basis: String
        public var activationRank: Int?
        public var interactionRank: Int?
        /// Directions holding 99% of ΣΛ (Gram eigenvalues on an "svd" layer).
        public var effectiveInteractionRank: Int?
        /// width − activation rank, activation rank − interaction rank.
        public var activationDegeneracy: Int?
        public var gradientDegeneracy: Int?
        public var gramSpectrum: [Double]?
        public var mSpectrum: [Double]?
        public var lambda: [Double]?
        public var harmful: HarmfulDirection?
        public var ablation: AblationCurve?
        enum CodingKeys: String, CodingKey {
            case name, hidden, width, basis, activationRank = "activation_rank", interactionRank = "interaction_rank"
            case effectiveInteractionRank = "effective_interaction_rank"
            case activationDegeneracy = "activation_degeneracy", gradientDegeneracy = "gradient_degeneracy"
            case gramSpectrum = "gram_spectrum", mSpectrum = "m_spectrum", lambda, harmful, ablation
        }
    }

    public struct Edges: Codable, Sendable, Equatable {
        public var from: String
        public var to: String
        public var interaction: EdgeSummary
        public var pca: EdgeSummary
    }

    /// One model's part of the report.
    public struct Model: Codable, Sendable {
        public var path: String
        public var modelType: String
        public var tokens: Int
        public var harmfulTokens: Int
        public var harmlessTokens: Int
        public var layers: [Layer]
        public var units: [UnitDegeneracy]
        public var edges: [Edges]
        public var bases: String?
        public var seconds: [String: Double]
        enum CodingKeys: String, CodingKey {
            case path, modelType = "model_type", tokens, harmfulTokens = "harmful_tokens", harmlessTokens = "harmless_tokens"
            case layers, units, edges, bases, seconds
        }
    }

    public var kind = "degeneracy"
    public var data: String
    public var settings: Settings
    public var model: Model
    public var compare: Model?
    /// The first model's layers again at the top level, as every audit report lists them.
    public var layers: [Layer]

    public init(data: String, settings: Settings, model: Model, compare: Model?) {
        self.data = data
        self.settings = settings
        self.model = model
        self.compare = compare
        layers = model.layers
    }

    public static func model(_ r: DegeneracyResult, path: String, modelType: String, bases: String?) -> Model {
        let layers = r.layers.map { l -> Layer in
            let b = l.basis
            return Layer(name: l.layer.name, hidden: l.hidden, width: b?.c.rows ?? l.hidden, basis: l.kind,
                         activationRank: b?.activationRank, interactionRank: b?.interactionRank,
                         effectiveInteractionRank: b?.effectiveRank(),
                         activationDegeneracy: b.map { $0.c.rows - $0.activationRank },
                         gradientDegeneracy: b.map { $0.activationRank - $0.interactionRank },
                         gramSpectrum: b?.gramSpectrum, mSpectrum: b?.mSpectrum, lambda: b?.lambda,
                         harmful: l.harmful, ablation: l.ablation)
        }
        let edges = r.edges.map { Edges(from: $0.interaction.from, to: $0.interaction.to, interaction: $0.interaction, pca: $0.pca) }
        return Model(path: path, modelType: modelType, tokens: r.tokens, harmfulTokens: r.harmfulTokens, harmlessTokens: r.harmlessTokens,
                     layers: layers, units: r.units, edges: edges, bases: bases, seconds: r.seconds)
    }
}
