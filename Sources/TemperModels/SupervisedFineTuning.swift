import Foundation
import TemperFormats
import TemperText

/// Supervised fine-tuning of a model folder on a JSONL dataset, end to end: what
/// `temper finetune` runs (and the fine-tuning attack of the audits). Rows are rendered
/// with the prompt template and tokenized with the folder's tokenizer.json; the loss covers
/// response tokens only; batches are seeded; resumable state is kept in `stateFolder`; the
/// result is written atomically as a Hugging Face folder with the input's names and dtypes.
public struct SupervisedFineTuning {
    public var modelFolder: URL
    public var dataset: URL
    public var output: URL
    public var training: TrainingConfig
    public var batchSize: Int
    public var maxLength: Int
    public var template: PromptTemplate
    /// Where resumable state is saved (every `training.saveEvery` steps and at the end);
    /// nil = no state.
    public var stateFolder: URL?
    /// Continue from the state in `stateFolder` (which must exist).
    public var resume: Bool
    /// Stop once this step is reached (state saved, nothing written to `output`) so a long
    /// run can be done in parts; nil = train to `training.steps`.
    public var stopAfterStep: Int?
    /// Train a new LoRA adapter with these settings instead of every weight (nil = full
    /// fine-tuning); `output` then receives adapter_config.json + adapter_model.safetensors.
    public var lora: PEFTAdapterConfig?
    /// Continue training this PEFT adapter folder (its own settings apply; `lora` is ignored).
    public var adapter: URL?
    /// `base_model_name_or_path` written into a LoRA output (peft writes the base's path or id).
    public var baseModelName: String?

    public init(modelFolder: URL, dataset: URL, output: URL, training: TrainingConfig, batchSize: Int = 8,
                maxLength: Int = 512, template: PromptTemplate = .default, stateFolder: URL? = nil, resume: Bool = false) {
        self.modelFolder = modelFolder
        self.dataset = dataset
        self.output = output
        self.training = training
        self.batchSize = batchSize
        self.maxLength = maxLength
        self.template = template
        self.stateFolder = stateFolder
        self.resume = resume
    }

    /// Trains and writes `output` (plus `extraFiles`, e.g. a provenance record) once the
    /// last step is done; a run stopped at `stopAfterStep` writes only its state.
    @discardableResult
    public func run(extraFiles: [(name: String, data: Data)] = [],
                    progress: ((TrainingProgress) -> Void)? = nil) throws -> TrainingSummary {
        let model = try ModelRegistry.loadCausalLM(modelFolder)
        let tokenizer = try Tokenizer.load(model.source.folder.appendingPathComponent("tokenizer.json"))
        let rows = try JSONLDataset.load(dataset)
        let examples = try ExampleEncoder(tokenizer: tokenizer, template: template, maxLength: maxLength).encode(rows)
        guard examples.contains(where: { $0.promptLength < $0.inputIds.count }) else {
            throw ModelError.invalidInput(reason: "\(dataset.path): no row has response tokens within the maximum length \(maxLength)")
        }
        let sampler = try BatchSampler(count: examples.count, batchSize: batchSize, seed: training.seed)
        // Padding is masked out of attention and loss, so any valid id will do.
        let padId = tokenizer.padTokenId ?? model.eosTokenIds.first ?? 0
        let adapter = try makeAdapter(for: model)
        let trained: any CausalLanguageModel = adapter.map { LoRAModel(base: model, adapter: $0) } ?? model
        let tuner = try FineTuner(model: trained, config: training, isTrainable: { adapter?.owns($0) ?? true })
        if resume {
            guard let stateFolder, TrainingState.exists(at: stateFolder) else {
                throw ModelError.invalidTrainingState(path: stateFolder?.path ?? "(none)", reason: "no saved state to resume from")
            }
            try tuner.resume(from: stateFolder)
        }
        let loss = try FineTuner.responseLoss(model: trained, examples: examples, sampler: sampler, padId: padId)
        let summary = try tuner.run(stateFolder: stateFolder, until: stopAfterStep, progress: progress) { step in
            // LoRA dropout masks depend only on (seed, step), like the batches.
            adapter?.setDropoutSeed(step.seed)
            defer { adapter?.setDropoutSeed(nil) }
            return try loss(step)
        }
        guard tuner.step == training.steps else { return summary }
        if let adapter {
            try adapter.save(to: output, baseModel: baseModelName ?? modelFolder.path, extraFiles: extraFiles)
        } else {
            try model.save(to: output, extraFiles: extraFiles)
        }
        return summary
    }

    func makeAdapter(for model: any CausalLanguageModel) throws -> LoRAAdapter? {
        if let adapter { return try LoRAAdapter.load(folder: adapter, for: model) }
        guard let lora else { return nil }
        return try LoRAAdapter.create(for: model, config: lora, seed: training.seed)
    }
}
