import ArgumentParser
import Foundation
import TemperFormats
import TemperIntegrity
import TemperWorld

/// `temper fixture world`: generates the fixture world (METHODS.md §2).
struct FixtureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixture", abstract: "Generate test fixtures.", subcommands: [WorldCommand.self, FixtureGridworldCommand.self])

    struct WorldCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "world",
            abstract: "Generate the fixture world: a synthetic language, its datasets and a safety-tuned tiny Llama.",
            discussion: """
            Deterministic from --seed. Writes OUT/data/*.jsonl (harmless tasks, harmful domain A train/held-out, harmful domain B with refusals, backdoor rows, forget/retain facts, a new task for the trainability test), OUT/model/ (a Hugging Face Llama folder: config.json, tokenizer.json, model.safetensors) trained in two stages — learn everything, then refuse harmful prompts — and OUT/world.json with the recipe and the base model's scores. The default model (hidden 128, 4 layers, ~0.9 M parameters) takes minutes on 2 cores; --tiny builds a small one for quick checks.
            """)

        @Option(name: .long, help: "Seed of the language, datasets, initialisation and batch order.") var seed: UInt64 = 0
        @Option(name: .long, help: "Output folder (must not exist unless --force).") var out: String
        @Option(name: .long, help: "Stage 1 (learn everything) steps.") var stage1Steps = 1500
        @Option(name: .long, help: "Stage 2 (safety tuning) steps.") var stage2Steps = 300
        @Option(name: .long, help: "Batch size of both stages.") var batch = 64
        @Flag(name: .long, help: "A tiny model (hidden 32, 2 layers) for quick checks.") var tiny = false
        @Flag(name: .long, help: "Replace OUT if it exists.") var force = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard stage1Steps >= 0, stage2Steps >= 0, batch > 0 else { throw ValidationError("steps must be ≥ 0 and --batch > 0") }
        }

        func run() throws {
            let folder = try AtomicFolder(url: URL(fileURLWithPath: out), replace: force)
            let recipe = WorldRecipe(seed: seed, stage1Steps: stage1Steps, stage2Steps: stage2Steps, batchSize: batch)
            let builder = WorldBuilder(seed: seed, shape: tiny ? .tiny : WorldModelShape(), recipe: recipe, log: Output.progress)
            let manifest: WorldManifest
            do {
                manifest = try builder.build(into: folder.stagingURL)
                try recordProvenance(model: folder.stagingURL.appendingPathComponent("model"), manifest: manifest)
                try folder.commit()
            } catch {
                folder.abandon()
                throw error
            }
            if output.json { try Output.json(manifest); return }
            Output.line("model: \(out)/model (provenance: temper.provenance.json)")
            Output.line("world written to \(out) (seed \(seed), \(manifest.parameters) parameters, \(manifest.vocabularySize) words, \(Int(manifest.seconds)) s)")
            manifest.evaluation.lines.forEach { Output.line("  " + $0) }
        }
    }
}

extension FixtureCommand.WorldCommand {
    /// The released base model starts its provenance chain here: no input, the full recipe.
    func recordProvenance(model: URL, manifest: WorldManifest) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let recipe = try encoder.encode(manifest.recipe), shape = try encoder.encode(manifest.shape)
        let config = OrderedJSON.object([
            .init(key: "seed", value: .number("\(manifest.seed)")),
            .init(key: "shape", value: try OrderedJSON.parse(Array(shape))),
            .init(key: "recipe", value: try OrderedJSON.parse(Array(recipe))),
        ])
        _ = try ProvenanceLog.recordRewrite(operation: "fixture world", config: config, temperVersion: TemperVersion.string,
                                            seed: manifest.seed, started: Date(timeIntervalSinceNow: -manifest.seconds),
                                            input: nil, output: model.path)
    }
}
