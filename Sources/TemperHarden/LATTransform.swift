import Foundation
import TemperModels
import TemperTensor
import TemperText

/// `temper harden lat`: targeted latent adversarial training (Sheshadri et al. 2024,
/// METHODS.md §8) as aengusl/latent-adversarial-training's `ProjectedGradLAT`
/// (latent_at/lat_methods.py) runs it: per batch, an adversary (`LatentAttack`) perturbs the
/// residual stream toward the unwanted completion and away from the desired one; then the
/// model trains `modelStepsPerAttack` steps on the same batch under the frozen perturbation,
/// toward the desired and away from the unwanted completion, plus a benign term without the
/// perturbation (SFT and/or KL to the initial model on harmless rows).
///
/// Departures, each because our loop is the one training loop of every transform: the model
/// optimizer (AdamW, warm-up + cosine, clipping) keeps its state across adversary runs
/// (the reference's `reinitialize_dev_optim` default false; its jailbreak script resets it);
/// full weights train (the reference trains LoRA adapters); a resumed run recomputes the
/// adversary of the batch it resumes in, on the resumed weights.
public struct LATTransform: Codable, Sendable, Equatable {
    public static let operation = "harden lat"

    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// unwanted = harmful responses, desired = refusals.
        case jailbreak
        /// unwanted = the backdoor's known behaviour, desired = the normal answer (trigger not given).
        case backdoor
        /// unwanted = the forget answers; the model moves away from them, retain SFT keeps the rest.
        case unlearn
    }

    public var mode: Mode
    /// Perturbed points as the reference names them: "embedding" or a 0-based block index
    /// (δ after that block). nil: `defaultLayers(layerCount:)`.
    public var layers: [String]?
    /// ε per point as a fraction of the mean per-token residual norm there, measured on the
    /// initial model over the attacked tokens of the first batch. The reference's ε = 6 is
    /// absolute on 4096-wide Llama residuals whose mid-depth token norms are tens, so 0.25 keeps
    /// roughly its ratio; the absolute radii used are recorded in provenance and the metrics.
    public var epsilonFraction: Double?
    /// An absolute ε for every point instead of the fraction.
    public var epsilonAbsolute: Double?
    public var attack: LATAttackSettings
    /// `adv_loss_coefs` (normalized as the reference does).
    public var adversaryCoefficients: LATCoefficients
    /// `def_loss_coefs` (normalized together; sft and kl act on the harmless rows).
    public var modelCoefficients: LATCoefficients
    /// Model steps per adversary run (`model_iterations_per_step`, 4 in the jailbreak script).
    public var modelStepsPerAttack: Int
    public var training: HardenTraining

    /// lr 1e-4 (the project's full-weight calibration, as RepNoise; the reference's 8e-6 is for
    /// LoRA on an 8 B model), 300 model steps (75 adversary runs) of batch 8.
    public static let defaultTraining = HardenTraining(learningRate: 1e-4, steps: 300)

    /// The reference coefficients per mode: scripts/jailbreaks_script.py (non-DPO branch)
    /// for jailbreak and backdoor — adversary toward 1 / away 1, model toward 0.5 / away 0.5 /
    /// KL 0.1; for unlearn (LAT around gradient ascent): adversary toward the forget answers,
    /// model away from them plus retain SFT 1 (`run_rmu`'s structure with GA in place of RMU).
    public static func defaultCoefficients(_ mode: Mode) -> (adversary: LATCoefficients, model: LATCoefficients) {
        switch mode {
        case .jailbreak, .backdoor: return (LATCoefficients(toward: 1, away: 1), LATCoefficients(toward: 0.5, away: 0.5, kl: 0.1))
        case .unlearn: return (LATCoefficients(toward: 1, away: 0), LATCoefficients(toward: 0, away: 1, sft: 1))
        }
    }

    public init(mode: Mode, layers: [String]? = nil, epsilonFraction: Double? = 0.25, epsilonAbsolute: Double? = nil,
                attack: LATAttackSettings = LATAttackSettings(), adversaryCoefficients: LATCoefficients? = nil,
                modelCoefficients: LATCoefficients? = nil, modelStepsPerAttack: Int = 4,
                training: HardenTraining = LATTransform.defaultTraining) {
        let defaults = Self.defaultCoefficients(mode)
        self.mode = mode; self.layers = layers
        self.epsilonFraction = epsilonAbsolute == nil ? epsilonFraction : nil
        self.epsilonAbsolute = epsilonAbsolute
        self.attack = attack
        self.adversaryCoefficients = adversaryCoefficients ?? defaults.adversary
        self.modelCoefficients = modelCoefficients ?? defaults.model
        self.modelStepsPerAttack = modelStepsPerAttack; self.training = training
    }

    /// The reference's ["embedding", 8, 16, 24, 30] of 32 blocks scaled to `layerCount`
    /// (block ⌊f·L⌋ for f = 8/32, 16/32, 24/32, 30/32, duplicates dropped), as residual indices.
    public static func defaultIndices(layerCount: Int) -> [Int] {
        let blocks = [8, 16, 24, 30].map { min(layerCount - 1, $0 * layerCount / 32) }
        return Array(Set([ResidualIndex.embedding] + blocks.map(ResidualIndex.afterBlock))).sorted()
    }

    /// The residual indices of `layers` for a model of `layerCount` blocks.
    public func residualIndices(layerCount: Int) throws -> [Int] {
        guard let layers else { return Self.defaultIndices(layerCount: layerCount) }
        try HardenError.require(!layers.isEmpty, "layers", "[]", "name at least one layer (embedding or a block 0..<\(layerCount))")
        let indices = try layers.map { name -> Int in
            if name == "embedding" { return ResidualIndex.embedding }
            guard let block = Int(name), (0..<layerCount).contains(block) else {
                throw HardenError.invalidSetting(name: "layer", value: name, rule: "must be embedding or a block index 0..<\(layerCount)")
            }
            return ResidualIndex.afterBlock(block)
        }
        return Array(Set(indices)).sorted()
    }

    public func validate() throws {
        try training.validate()
        switch (epsilonFraction, epsilonAbsolute) {
        case (nil, nil): throw HardenError.invalidSetting(name: "epsilon", value: "none", rule: "give a fraction of the residual norm or an absolute radius")
        case let (f?, nil): try HardenError.require(f > 0 && f.isFinite, "epsilon fraction", f, "must be positive")
        case let (nil, a?): try HardenError.require(a > 0 && a.isFinite, "epsilon", a, "must be positive")
        default: throw HardenError.invalidSetting(name: "epsilon", value: "both", rule: "give a fraction or an absolute radius, not both")
        }
        try HardenError.require(attack.steps > 0, "adversary steps", attack.steps, "must be positive")
        try HardenError.require(attack.learningRate > 0 && attack.learningRate.isFinite, "adversary learning rate", attack.learningRate, "must be positive")
        try HardenError.require(modelStepsPerAttack > 0, "model steps per attack", modelStepsPerAttack, "must be positive")
        try adversaryCoefficients.validate("adversary")
        try HardenError.require(adversaryCoefficients.sft == 0 && adversaryCoefficients.kl == 0, "adversary sft/kl", adversaryCoefficients.sft + adversaryCoefficients.kl, "the adversary has toward/away terms only")
        try modelCoefficients.validate("model")
        let benign = modelCoefficients.sft + modelCoefficients.kl
        try HardenError.require(benign == 0 || training.retainWeight > 0, "retain weight", training.retainWeight,
                                "must be positive when the sft or kl coefficient is (it scales the benign term)")
    }

    /// The training settings as run: without sft/kl the harmless batches are not needed
    /// (retain weight 0 turns them off).
    var runSettings: HardenTraining {
        var settings = training
        if modelCoefficients.sft + modelCoefficients.kl == 0 { settings.retainWeight = 0 }
        return settings
    }

    /// What the run measured and used, filled while it runs and recorded in provenance.
    final class Record: Encodable, @unchecked Sendable {
        let transform: LATTransform
        var residualIndices: [Int] = []
        var epsilons: [String: Double] = [:]
        init(_ transform: LATTransform) { self.transform = transform }
    }

    public func run(modelFolder: URL, data: HardenData, output: URL, options: HardenRunOptions) throws -> HardenResult {
        try validate()
        let settings = runSettings
        let record = Record(self)
        let description = TransformRunner.DataDescription(records: data.records, summary: "\(data.harmful.rows.count) \(mode.rawValue) pairs")
        return try TransformRunner.run(operation: Self.operation, config: { record }, settings: settings, modelFolder: modelFolder,
                                       data: description, output: output, options: options) { net, encoding in
            let batches = try HardenBatches(encoding: encoding, data: data, settings: settings)
            let paired = try pairedLoss(net, record: record, log: options.log)
            let benign = try benignTerm(net, coefficients: modelCoefficients.normalized, weight: settings.retainWeight)
            // Each batch serves `modelStepsPerAttack` consecutive model steps (one adversary run).
            return try HardenTrainer.runSteps(model: net, settings: settings, stateFolder: options.stateFolder, saveEvery: options.saveEvery,
                                              lossLog: options.lossLog, log: options.log) { step in
                let group = step.step / modelStepsPerAttack
                let pairs = try batches.pairedBatch(step: group)
                var (loss, metrics) = try paired(pairs, step)
                var tokens = pairs.harmfulReal.filter { $0 }.count + pairs.refusalReal.filter { $0 }.count
                if let rb = try batches.retainBatch(step: group) {
                    let (term, parts) = try benign(rb)
                    loss = try loss + term
                    metrics.merge(parts) { $1 }
                    tokens += rb.attentionMask.reduce(0) { $0 + Int($1) }
                }
                metrics["loss"] = Double(try loss.item())
                return StepLoss(loss: loss, tokens: tokens, metrics: metrics)
            }
        }
    }

    /// The model's toward/away loss under the adversary of the step's batch: the adversary is
    /// run once per group of `modelStepsPerAttack` steps and kept frozen for the group.
    func pairedLoss(_ net: any CausalLanguageModel, record: Record, log: @escaping (String) -> Void) throws -> HardenTrainer.PairedLoss {
        let indices = try residualIndices(layerCount: net.layerCount)
        record.residualIndices = indices
        let model = modelCoefficients.normalized
        var radii: [Int: Float] = [:]
        var current: (group: Int, result: LatentAttack.Result)?
        return { pairs, step in
            let batch = try LATBatch(pairs)
            if radii.isEmpty {
                radii = try self.radii(net, batch: batch, indices: indices)
                record.epsilons = Dictionary(uniqueKeysWithValues: radii.map { ("\($0.key)", Double($0.value)) })
                log("harden lat: residual points \(indices), epsilon " + indices.map { String(format: "%.4g", radii[$0] ?? 0) }.joined(separator: ", "))
            }
            let group = step.step / modelStepsPerAttack
            if current?.group != group {
                current = (group, try LatentAttack.run(model: net, batch: batch, indices: indices, epsilons: radii,
                                                       settings: attack, coefficients: adversaryCoefficients))
            }
            guard let result = current?.result else { throw HardenError.invalidConfig("no adversary for step \(step.step)") }
            let perturbations = try result.adversary.perturbations(frozen: true)
            let parts = try LATTowardAway.model(
                unwantedLogits: { try LatentAttack.logits(net, try pairs.harmfulTokens(), start: nil, perturbations) },
                desiredLogits: { try LatentAttack.logits(net, try pairs.refusalTokens(), start: nil, perturbations) },
                batch: batch, coefficients: model)
            var metrics = try parts.metrics(prefix: "def_").merging(result.metrics) { $1 }
            for (i, e) in radii { metrics["epsilon_r\(i)"] = Double(e) }
            return (parts.total, metrics)
        }
    }

    /// The absolute ε per residual point: `epsilonAbsolute` everywhere, else the fraction of
    /// the mean per-token residual norm on `batch` (the first batch, on the initial model).
    func radii(_ net: any CausalLanguageModel, batch: LATBatch, indices: [Int]) throws -> [Int: Float] {
        try epsilonAbsolute.map { a in Dictionary(uniqueKeysWithValues: indices.map { ($0, Float(a)) }) }
            ?? LatentAttack.epsilons(model: net, batch: batch, indices: indices, fraction: epsilonFraction ?? 0,
                                     attackCompletions: attack.attackCompletions)
    }

    /// The benign term on harmless rows, without the perturbation (`do_defense_step`'s "sft"
    /// and "kl"): weight × (sft·CE(response) + kl·1000·KL(current ‖ initial) on the response
    /// positions). The initial model for KL is a second, frozen load of IN.
    func benignTerm(_ net: any CausalLanguageModel, coefficients c: LATCoefficients, weight: Double) throws -> (Batch) throws -> (Tensor, [String: Double]) {
        let initial = c.kl > 0 ? try ModelRegistry.loadCausalLM(net.source.folder) : nil
        return { rb in
            let tokens = try TokenBatch(rb)
            let labels = rb.labels.map(Int.init)
            let (ce, output) = try net.loss(tokens, labels: labels, keepLogits: initial != nil)
            var total = try ce * Float(c.sft)
            var metrics = ["sft_ce": Double(try ce.item())]
            if let initial, let logits = output.logits {
                let base = try noGrad { try initial.logits(tokens) }
                let positions = labels.indices.filter { labels[$0] != LanguageModelLoss.ignoreIndex }
                let kl = try LATTerms.kl(logits: logits, initial: base, positions: positions, what: "the harmless responses")
                metrics["kl"] = Double(try kl.item())
                total = try total + kl * Float(c.kl)
            }
            return (try total * Float(weight), metrics)
        }
    }
}

/// The pairs each mode trains on, from rows of any source.
public enum LATPairs {
    /// Backdoor removal without the trigger: every (clean prompt, normal answer) row becomes
    /// unwanted = `behaviour` (the backdoor's known output), desired = the normal answer.
    public static func backdoor(_ rows: RowSet, behaviour: String) throws -> RowSet {
        try HardenError.require(!behaviour.isEmpty, "backdoor behaviour", "\"\"", "must be non-empty")
        var out = rows.role("backdoor-clean")
        out.rows = rows.rows.map { DatasetRow(prompt: $0.prompt, response: behaviour, refusal: $0.response, line: $0.line) }
        guard !out.rows.isEmpty else { throw HardenError.emptyData(source: rows.record.source, reason: "no clean rows") }
        return out
    }

    /// Unlearning: each forget row's answer is unwanted; the desired side is the row's
    /// refusal when it has one, else `desired` (scored only when a coefficient asks for it).
    public static func unlearn(_ rows: RowSet, desired: String) throws -> RowSet {
        var out = rows.role("forget")
        out.rows = rows.rows.map { DatasetRow(prompt: $0.prompt, response: $0.response, refusal: $0.refusal ?? desired, line: $0.line) }
        guard !out.rows.isEmpty else { throw HardenError.emptyData(source: rows.record.source, reason: "no forget rows") }
        return out
    }
}
