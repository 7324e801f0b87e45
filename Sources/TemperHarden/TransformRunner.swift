import Foundation
import TemperModels
import TemperText

/// The steps both transforms share: load IN, train with the transform's paired loss, keep
/// the last good weights when the run goes non-finite, write OUT with provenance (and a
/// signature).
enum TransformRunner {
    static func run(operation: String, config: some Encodable, settings: HardenTraining, modelFolder: URL, data: HardenData,
                    output: URL, options: HardenRunOptions,
                    makeLoss: (any CausalLanguageModel) -> HardenTrainer.PairedLoss) throws -> HardenResult {
        let started = Date()
        try settings.validate()
        if !options.replace, FileManager.default.fileExists(atPath: output.path) {
            throw HardenError.invalidConfig("\(output.path) already exists (choose another output or replace it)")
        }
        let model = try ModelRegistry.loadCausalLM(modelFolder)
        let tokenizer = try Tokenizer.load(modelFolder)
        options.log("\(operation): \(modelFolder.path) → \(output.path), \(settings.steps) steps, batch \(settings.batchSize), lr \(settings.learningRate)")
        let summary: HardenSummary
        do {
            summary = try HardenTrainer.run(model: model, tokenizer: tokenizer, data: data, settings: settings,
                                            stateFolder: options.stateFolder, saveEvery: options.saveEvery, log: options.log,
                                            loss: makeLoss(model))
        } catch let HardenError.nonFiniteLoss(step, detail, _) {
            let saved = try HardenOutput.saveLastGood(model: model, output: output)
            throw HardenError.nonFiniteLoss(step: step, detail: detail, lastGood: saved.path)
        }
        let written = try HardenOutput.write(model: model, input: modelFolder, output: output, operation: operation, config: config,
                                             seed: settings.seed, started: started, options: options)
        options.log(String(format: "%@ done in %.1f s: %@", operation, summary.seconds, output.path))
        return HardenResult(operation: operation, input: modelFolder.path, output: output.path, summary: summary,
                            outputManifestSHA256: written.digest, signature: written.signature)
    }
}
