import Foundation
import TemperModels
import TemperText

/// The steps every transform shares: load IN, train, keep the last good weights when the
/// run goes non-finite, write OUT with provenance (the full config and every data file by
/// digest) and, with a key, a signature. Paired transforms pass their paired loss; other
/// transforms (unlearning) pass a `train` closure that runs `HardenTrainer.runSteps`.
enum TransformRunner {
    /// What the run trains on, for the log line and the provenance record.
    struct DataDescription {
        var records: [DataRecord]
        var summary: String
    }

    /// A paired transform: `HardenTrainer.run` with the transform's paired loss.
    static func run(operation: String, config: some Encodable, settings: HardenTraining, modelFolder: URL, data: HardenData,
                    output: URL, options: HardenRunOptions,
                    makeLoss: (any CausalLanguageModel) -> HardenTrainer.PairedLoss) throws -> HardenResult {
        try run(operation: operation, config: { config }, settings: settings, modelFolder: modelFolder,
                data: DataDescription(records: data.records, summary: "\(data.harmful.rows.count) pairs"),
                output: output, options: options) { model, encoding in
            try HardenTrainer.run(model: model, encoding: encoding, data: data, settings: settings,
                                  stateFolder: options.stateFolder, saveEvery: options.saveEvery, lossLog: options.lossLog, log: options.log,
                                  loss: makeLoss(model))
        }
    }

    /// Any transform: `train` runs the loop on the loaded model and returns its summary;
    /// `config` is read after training, so settings resolved from the model are recorded.
    static func run<Config: Encodable>(operation: String, config: () -> Config, settings: HardenTraining, modelFolder: URL, data: DataDescription,
                    output: URL, options: HardenRunOptions,
                    train: (any CausalLanguageModel, TextEncoding) throws -> HardenSummary) throws -> HardenResult {
        let started = Date()
        try settings.validate()
        if !options.replace, FileManager.default.fileExists(atPath: output.path) { throw HardenError.outputExists(path: output.path) }
        let model = try ModelRegistry.loadCausalLM(modelFolder)
        let tokenizer = try Tokenizer.load(model.source.folder)
        let encoding = try TextEncoding(tokenizer: tokenizer, model: model, format: options.format, maxLength: settings.maxLength)
        options.log("\(operation): \(modelFolder.path) → \(output.path), \(settings.steps) steps, batch \(settings.batchSize), lr \(settings.learningRate), \(data.summary)")
        let summary: HardenSummary
        do {
            summary = try train(model, encoding)
        } catch let HardenError.nonFiniteLoss(step, detail, _) {
            let saved = try HardenOutput.saveLastGood(model: model, output: output)
            let note = saved == nil ? "; the weights themselves overflowed in the update before" + (options.stateFolder.map { ", the last saved state is in \($0.path)" } ?? "") : ""
            throw HardenError.nonFiniteLoss(step: step, detail: detail + note, lastGood: saved?.path)
        }
        let recorded = RecordedConfig(transform: config(), data: data.records, template: encoding.formatDescription)
        let written = try HardenOutput.write(model: model, input: modelFolder, output: output, operation: operation, config: recorded,
                                             seed: settings.seed, started: started, options: options)
        options.log(String(format: "%@ done in %.1f s: %@", operation, summary.seconds, output.path))
        return HardenResult(operation: operation, input: modelFolder.path, output: output.path, summary: summary,
                            outputManifestSHA256: written.digest, signature: written.signature)
    }
}

/// What a provenance record keeps of a run: the transform's whole config, each data file by
/// SHA-256 and row count, and the prompt template the rows were rendered with.
struct RecordedConfig<Transform: Encodable>: Encodable {
    let transform: Transform
    let data: [DataRecord]
    let template: String
}
