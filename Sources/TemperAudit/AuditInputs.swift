import Foundation
import TemperHarden
import TemperModels
import TemperText

/// The data an audit measures on — files a user brings, or a preset such as the fixture
/// world — with the judges that score greedy answers and the text settings.
public struct AuditData {
    /// Harmful pairs (prompt, harmful response, refusal): the attack's default training
    /// rows, the attacked evaluation set, the logit lens's responses and the probe's
    /// positive class.
    public var harmful: RowSet
    /// Harmless rows: stability (utility before vs after) and the probe's negative class.
    public var harmless: RowSet
    /// In-domain generalization (held-out prompts of the attacked domain).
    public var heldOut: RowSet?
    /// Cross-domain generalization (another harmful domain).
    public var crossDomain: RowSet?
    /// The rows the fine-tuning attack trains on (nil: `harmful`).
    public var attackTrain: RowSet?
    /// A new harmless task for trainability (train rows, and test rows scored by exact match).
    public var newTaskTrain: RowSet?
    public var newTaskTest: RowSet?
    /// Facts an unlearning should have removed: the depth audit's knowledge probe decodes them too.
    public var forget: RowSet?
    /// First = primary (steps-to-threshold); none: the log-likelihood is the primary metric.
    public var judges: [any HarmJudge]
    public var text: AttackTextOptions
    /// Extra check of each model against the data source (the world refuses foreign vocabularies).
    public var checkModel: ((URL) throws -> Void)?

    public init(harmful: RowSet, harmless: RowSet, heldOut: RowSet? = nil, crossDomain: RowSet? = nil, attackTrain: RowSet? = nil,
                newTaskTrain: RowSet? = nil, newTaskTest: RowSet? = nil, judges: [any HarmJudge], text: AttackTextOptions = AttackTextOptions(),
                checkModel: ((URL) throws -> Void)? = nil) throws {
        let names = [harmful.name, heldOut?.name, crossDomain?.name].compactMap { $0 }
        guard Set(names).count == names.count else {
            throw AuditError.invalidConfig("the harmful, held-out and cross-domain sets need distinct names, got \(names.joined(separator: ", "))")
        }
        self.harmful = harmful; self.harmless = harmless; self.heldOut = heldOut; self.crossDomain = crossDomain
        self.attackTrain = attackTrain; self.newTaskTrain = newTaskTrain; self.newTaskTest = newTaskTest
        self.judges = judges; self.text = text; self.checkModel = checkModel
    }

    /// The harmful evaluation sets, attacked set first.
    public var harmSets: [RowSet] { [harmful] + [heldOut, crossDomain].compactMap { $0 } }

    public var primaryMetric: String { judges.first?.name ?? AttackPoint.logLikelihoodMetric }

    /// The attack every audit runs: train on `attackTrain` (or the harmful pairs), measure
    /// every harmful set.
    public func attackData() throws -> AttackData {
        try AttackData(train: attackTrain ?? harmful, eval: harmSets, attackedSet: harmful.name, judges: judges)
    }

    /// Every data file the audit read, for the report.
    public var records: [DataRecord] {
        ([harmful, harmless] + [heldOut, crossDomain, attackTrain, newTaskTrain, newTaskTest, forget].compactMap { $0 }).map(\.record)
    }
}

/// A model folder loaded for auditing (any decoder Temper loads), with its tokenizer and
/// the audit's text settings.
public struct AuditModel {
    public let folder: URL
    public let model: any CausalLanguageModel
    public let tokenizer: Tokenizer
    public let encoding: TextEncoding

    /// Loads `folder`; `role` ("base model", "defended model", …) names it in errors.
    public static func load(_ folder: URL, role: String, text: AttackTextOptions) throws -> AuditModel {
        guard AuditInputs.isDirectory(folder) else { throw AuditError.missingInput(role: role, path: folder.path) }
        let model: any CausalLanguageModel, tokenizer: Tokenizer
        do {
            model = try ModelRegistry.loadCausalLM(folder)
            tokenizer = try Tokenizer.load(model.source.folder)
        } catch {
            let reason = (error as? LocalizedError)?.errorDescription ?? "\(error)"
            throw AuditError.unreadableModel(role: role, path: folder.path, reason: reason)
        }
        let encoding = try TextEncoding(tokenizer: tokenizer, model: model, format: text.format, maxLength: text.maxLength)
        return AuditModel(folder: folder, model: model, tokenizer: tokenizer, encoding: encoding)
    }

    /// The evaluator for this model's measurements.
    public func evaluator(_ text: AttackTextOptions) -> ModelEvaluator {
        ModelEvaluator(model: model, encoding: encoding, maxNewTokens: text.maxNewTokens)
    }

    /// A fresh copy of the model's weights (attacks and training change models in place).
    public func reload() throws -> any CausalLanguageModel { try ModelRegistry.loadCausalLM(folder) }
}

/// Checks that the models fit together (and the data source) before any measurement.
public enum AuditInputs {
    static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Same tokens at the same ids, same model vocabulary, same parameter names and shapes.
    public static func checkCompatible(_ a: AuditModel, _ b: AuditModel) throws {
        let (pa, pb) = (a.folder.path, b.folder.path)
        guard a.model.vocabSize == b.model.vocabSize else {
            throw AuditError.vocabularyMismatch(first: pa, second: pb, detail: "vocab_size \(a.model.vocabSize) vs \(b.model.vocabSize)")
        }
        guard a.tokenizer.vocabSize == b.tokenizer.vocabSize else {
            throw AuditError.vocabularyMismatch(first: pa, second: pb, detail: "tokenizers have \(a.tokenizer.vocabSize) vs \(b.tokenizer.vocabSize) tokens")
        }
        for id in 0..<a.tokenizer.vocabSize {
            let (ta, tb) = (a.tokenizer.idToToken(id), b.tokenizer.idToToken(id))
            guard ta == tb else {
                throw AuditError.vocabularyMismatch(first: pa, second: pb,
                                                    detail: "token id \(id) is '\(ta ?? "none")' vs '\(tb ?? "none")'")
            }
        }
        let (qa, qb) = (a.model.parameters, b.model.parameters)
        guard qa.count == qb.count else {
            throw AuditError.architectureMismatch(first: pa, second: pb, detail: "\(qa.count) vs \(qb.count) parameter tensors")
        }
        for (x, y) in zip(qa, qb) where x.name != y.name || x.tensor.shape != y.tensor.shape {
            throw AuditError.architectureMismatch(first: pa, second: pb,
                                                  detail: "tensor '\(x.name)' \(x.tensor.shape) vs '\(y.name)' \(y.tensor.shape)")
        }
    }

    /// Loads every model, checks each against the data source and against the first.
    public static func load(_ folders: [(role: String, folder: URL)], data: AuditData) throws -> [AuditModel] {
        let models = try folders.map { try AuditModel.load($0.folder, role: $0.role, text: data.text) }
        if let check = data.checkModel { for m in models { try check(m.folder) } }
        if let first = models.first { for m in models.dropFirst() { try checkCompatible(first, m) } }
        return models
    }
}
