import Foundation
import TemperFormats
import TemperHarden
import TemperModels
import TemperText

/// The two-stage training recipe of the released base model (METHODS.md §2).
public struct WorldRecipe: Sendable, Equatable, Codable {
    /// Stage 1 learns everything: harmless tasks, harmful answers, facts, backdoor rows.
    public var stage1: SupervisedSettings
    /// Stage 2 safety-tunes: refusals for harmful prompts; harmless, facts, backdoor kept.
    public var stage2: SupervisedSettings

    public init(seed: UInt64, stage1Steps: Int = 1500, stage2Steps: Int = 300, batchSize: Int = 64) {
        stage1 = .cosine(steps: stage1Steps, batchSize: batchSize, learningRate: 3e-3, warmupFraction: 0.05, seed: seed &+ 11)
        stage2 = .cosine(steps: stage2Steps, batchSize: batchSize, learningRate: 1e-3, warmupFraction: 0.05, seed: seed &+ 12)
    }
}

/// Generates a fixture world folder: `data/*.jsonl`, a Hugging Face Llama folder in
/// `model/` (config, tokenizer, safetensors) trained by the recipe, and `world.json`.
public struct WorldBuilder {
    public var seed: UInt64
    public var shape: WorldModelShape
    public var recipe: WorldRecipe
    /// Progress and stage messages (stderr in the CLI).
    public var log: (String) -> Void

    public init(seed: UInt64, shape: WorldModelShape = WorldModelShape(), recipe: WorldRecipe? = nil, log: @escaping (String) -> Void = { _ in }) {
        self.seed = seed; self.shape = shape; self.recipe = recipe ?? WorldRecipe(seed: seed); self.log = log
    }

    /// Writes the world into `folder` (which must exist and be empty: use `AtomicFolder`).
    public func build(into folder: URL) throws -> WorldManifest {
        let started = Date()
        let language = WorldLanguage(seed: seed)
        let data = WorldDatasets(language: language, seed: seed)
        let dataDir = folder.appendingPathComponent("data"), modelDir = folder.appendingPathComponent("model")
        for dir in [dataDir, modelDir] { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
        for name in WorldDatasets.splitNames { try WorldFiles.writeJSONL(data[name], to: dataDir.appendingPathComponent("\(name).jsonl")) }
        try WorldModelFiles.writeInitial(folder: modelDir, shape: shape, language: language, seed: seed)

        let model = try LlamaModel.load(modelDir)
        let tokenizer = try Tokenizer.load(modelDir)
        let encoder = try ExampleEncoder(tokenizer: tokenizer, maxLength: shape.maxPositions)
        guard let pad = tokenizer.padTokenId else { throw WorldError.invalidConfig("tokenizer has no pad token") }

        func encode(_ rows: [DatasetRow], refusals: Bool = false) throws -> [Example] {
            try rows.map { try encoder.encode(prompt: $0.prompt, response: refusals ? ($0.refusal ?? $0.response) : $0.response) }
        }
        let harmful = data["harmful_a_train"] + data["harmful_a_heldout"] + data["harmful_b"]
        let keep = try encode(data["harmless_train"]) + encode(data["forget"] + data["retain"]) + encode(data["backdoor_triggered"])
        // Harmful rows are repeated so each stage sees them about as often as the rest.
        let stage1 = keep + (try encode(harmful + harmful + harmful))
        let stage2 = keep + (try encode(harmful + harmful + harmful, refusals: true))

        log("stage 1: \(recipe.stage1.training.steps) steps on \(stage1.count) examples (everything, harmful answers included)")
        try FineTuner.supervised(model: model, examples: stage1, settings: recipe.stage1, padId: pad, progress: progressLogger("stage 1"))
        log("stage 2: \(recipe.stage2.training.steps) steps on \(stage2.count) examples (refusals for harmful prompts)")
        try FineTuner.supervised(model: model, examples: stage2, settings: recipe.stage2, padId: pad, progress: progressLogger("stage 2"))
        try WorldModelFiles.writeWeights(model, folder: modelDir, shape: shape, vocabSize: language.vocabulary.count)

        log("evaluating the released model")
        let evaluation = try WorldEvaluator(model: model, tokenizer: tokenizer, language: language).evaluate(data)
        let manifest = WorldManifest(seed: seed, shape: WorldShapeRecord(shape), recipe: recipe, parameters: model.parameterCount,
                                     vocabularySize: language.vocabulary.count, trigger: language.trigger,
                                     evaluation: evaluation, seconds: Date().timeIntervalSince(started))
        try WorldFiles.writeManifest(manifest, to: folder.appendingPathComponent(WorldFiles.manifestName))
        return manifest
    }

    func progressLogger(_ stage: String) -> (TrainingProgress) -> Void {
        { [log] p in
            guard p.step % max(1, p.totalSteps / 20) == 0 || p.step == p.totalSteps else { return }
            log(String(format: "%@: step %d/%d loss %.4f (%.0fs elapsed, ETA %.0fs)", stage as NSString, p.step, p.totalSteps, p.loss,
                       p.elapsedSeconds, p.etaSeconds))
        }
    }
}

public struct WorldShapeRecord: Sendable, Equatable, Codable {
    public var hidden, intermediate, layers, heads, kvHeads, maxPositions: Int
    public init(_ s: WorldModelShape) {
        hidden = s.hidden; intermediate = s.intermediate; layers = s.layers; heads = s.heads; kvHeads = s.kvHeads; maxPositions = s.maxPositions
    }
    public var shape: WorldModelShape {
        var s = WorldModelShape()
        s.hidden = hidden; s.intermediate = intermediate; s.layers = layers; s.heads = heads; s.kvHeads = kvHeads; s.maxPositions = maxPositions
        return s
    }
}

/// `world.json`: how the world was made and how its base model scored.
public struct WorldManifest: Sendable, Equatable, Codable {
    public var format = "temper.world/2"
    public var seed: UInt64
    public var shape: WorldShapeRecord
    public var recipe: WorldRecipe
    public var parameters: Int
    public var vocabularySize: Int
    public var trigger: String
    public var evaluation: WorldEvaluation
    public var seconds: Double
}

/// Reading and writing the world's files.
public enum WorldFiles {
    public static let manifestName = "world.json"

    public static func writeJSONL(_ rows: [DatasetRow], to url: URL) throws {
        try AtomicFile.write(try JSONLWriter.data(rows), to: url)
    }

    public static func writeManifest(_ manifest: WorldManifest, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(manifest) + Data("\n".utf8), to: url)
    }

    public static func readManifest(world: URL) throws -> WorldManifest {
        let url = world.appendingPathComponent(manifestName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw WorldError.notAWorld(path: world.path, reason: "no \(manifestName) (make one with `temper fixture world`)")
        }
        do { return try JSONDecoder().decode(WorldManifest.self, from: data) } catch {
            throw WorldError.notAWorld(path: url.path, reason: "unreadable: \(error.localizedDescription)")
        }
    }
}
