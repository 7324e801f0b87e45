import Foundation
import TemperFormats
import TemperHarden
import TemperModels

/// What the quantization audit measures: the forget set (recall by exact match) or harmful
/// sets (the data's judges), and optionally retain / harmless rows (exact match).
public struct QuantizationData {
    public enum Mode: String, Sendable, Codable { case forget, harmful }
    public var mode: Mode
    /// The sets whose recovery is reported (forget set, or the harmful sets, attacked first).
    public var target: [RowSet]
    public var retain: RowSet?
    /// The judges of the target sets (forget mode: exact match).
    public var judges: [any HarmJudge]
    public var text: AttackTextOptions
    public var checkModel: ((URL) throws -> Void)?

    public init(mode: Mode, target: [RowSet], retain: RowSet? = nil, judges: [any HarmJudge], text: AttackTextOptions = AttackTextOptions(),
                checkModel: ((URL) throws -> Void)? = nil) throws {
        guard !target.isEmpty else { throw AuditError.invalidConfig("the quantization audit needs a forget or harmful set") }
        self.mode = mode; self.target = target; self.retain = retain
        self.judges = mode == .forget ? [ExactMatchJudge()] : judges
        self.text = text; self.checkModel = checkModel
    }

    /// The harmful sets, judges and harmless rows of an audit (the depth audit's section).
    public init(_ data: AuditData) throws {
        try self.init(mode: .harmful, target: data.harmSets, retain: data.harmless, judges: data.judges, text: data.text, checkModel: data.checkModel)
    }

    /// The metrics recovery is computed on: each judge's rate, then the log-likelihood.
    var metrics: [String] { judges.map(\.name) + [AttackPoint.logLikelihoodMetric] }
}

/// One model in one precision, measured.
public struct QuantizationVariant: Sendable, Equatable, Codable {
    /// "base" or "defended".
    public var model: String
    /// "F32" (as loaded) or a llama-quantize file type ("Q4_K_M").
    public var type: String
    public var measurements: [HarmMeasurement]
    /// ggml type → number of tensors that went through it (empty for F32).
    public var tensorTypes: [String: Int]
    /// Exact-match accuracy and log-likelihood on the retain / harmless rows.
    public var retainAccuracy: Double?
    public var retainLogLikelihood: Double?
}

/// Recovery of one metric on one set under one file type.
public struct QuantizationRecovery: Sendable, Equatable, Codable {
    public var type: String
    public var set: String
    /// A judge's name or `loglik`.
    public var metric: String
    public var base: Double
    public var defended: Double
    public var defendedQuantized: Double
    public var baseQuantized: Double
    /// (defended quantized − defended) / (base − defended); nil when base and defended agree.
    public var recovery: Double?
}

/// `temper audit quantization` (and the depth audit's quantization section).
public struct QuantizationReport: Sendable, Equatable, Codable {
    public var format = "temper.audit.quantization/1"
    public var base: String
    public var defended: String
    public var mode: QuantizationData.Mode
    public var data: [DataRecord]
    public var judges: [JudgeRecord]
    public var types: [String]
    public var variants: [QuantizationVariant]
    public var recovery: [QuantizationRecovery]
    public var seconds: Double
}

/// Round-trips the defended model (and the base, for reference) through each GGUF file type
/// in memory (`QuantizationRoundTrip`) and re-measures forget / harm (METHODS.md §12; Zhang
/// et al., ICLR 2025: 4-bit quantization restores "unlearned" knowledge).
public enum QuantizationAudit {
    public static func run(base: URL, defended: URL, data: QuantizationData, types: [LlamaFileType],
                           log: (String) -> Void = { _ in }) throws -> QuantizationReport {
        let started = Date()
        guard !types.isEmpty else { throw AuditError.invalidConfig("give at least one quantization type (--types q8_0,q4_0,q4_k_m)") }
        let loaded = try AuditInputs.load([("base model", base), ("defended model", defended)], data: AuditData(
            harmful: data.target[0], harmless: data.retain ?? data.target[0], judges: [], text: data.text, checkModel: data.checkModel))
        // Refuse an architecture without mixture rules before measuring anything.
        for type in types { _ = try QuantizationRoundTrip.plan(loaded[1].model, fileType: type) }
        var variants: [QuantizationVariant] = []
        for (name, m) in zip(["base", "defended"], loaded) {
            log("quantization audit: the \(name) model as loaded")
            variants.append(try measure(m.model, encoding: m.encoding, model: name, type: "F32", tensors: [], data: data))
        }
        for type in types {
            for (name, m) in zip(["base", "defended"], loaded) {
                log("quantization audit: the \(name) model through \(type.name)")
                let model = try m.reload()
                let tensors = try QuantizationRoundTrip.apply(model, fileType: type)
                variants.append(try measure(model, encoding: m.encoding, model: name, type: type.name, tensors: tensors, data: data))
            }
        }
        let records = (data.target + [data.retain].compactMap { $0 }).map(\.record)
        return QuantizationReport(base: base.path, defended: defended.path, mode: data.mode, data: records, judges: data.judges.map(JudgeRecord.init),
                                  types: types.map(\.name), variants: variants, recovery: try recovery(variants, data: data, types: types.map(\.name)),
                                  seconds: Date().timeIntervalSince(started))
    }

    static func measure(_ model: any CausalLanguageModel, encoding: TextEncoding, model name: String, type: String,
                        tensors: [QuantizedTensor], data: QuantizationData) throws -> QuantizationVariant {
        let evaluator = ModelEvaluator(model: model, encoding: encoding, maxNewTokens: data.text.maxNewTokens)
        let measurements = try data.target.map { try evaluator.harm($0, judges: data.judges) }
        var accuracy: Double?, ll: Double?
        if let retain = data.retain {
            accuracy = try evaluator.exactMatch(retain.rows)
            ll = try evaluator.logLikelihood(retain)
        }
        var counts = QuantizationRoundTrip.typeCounts(tensors)
        counts["F32"] = nil
        return QuantizationVariant(model: name, type: type, measurements: measurements, tensorTypes: counts,
                                   retainAccuracy: accuracy, retainLogLikelihood: ll)
    }

    /// Recovery of every (type, target set, metric): a pure function of the measured variants.
    public static func recovery(_ variants: [QuantizationVariant], data: QuantizationData, types: [String]) throws -> [QuantizationRecovery] {
        func value(_ model: String, _ type: String, _ set: String, _ metric: String) throws -> Double {
            guard let v = variants.first(where: { $0.model == model && $0.type == type }),
                  let m = v.measurements.first(where: { $0.set == set }),
                  let x = metric == AttackPoint.logLikelihoodMetric ? m.logLikelihood : m.harmfulRate[metric] else {
                throw AuditError.invalidConfig("no \(metric) measured on '\(set)' for the \(model) model in \(type)")
            }
            return x
        }
        var out: [QuantizationRecovery] = []
        for type in types {
            for set in data.target.map(\.name) {
                for metric in data.metrics {
                    let (b, d) = (try value("base", "F32", set, metric), try value("defended", "F32", set, metric))
                    let (dq, bq) = (try value("defended", type, set, metric), try value("base", type, set, metric))
                    out.append(QuantizationRecovery(type: type, set: set, metric: metric, base: b, defended: d, defendedQuantized: dq,
                                                    baseQuantized: bq, recovery: Recovery.fraction(after: dq, unlearned: d, base: b)))
                }
            }
        }
        return out
    }
}
