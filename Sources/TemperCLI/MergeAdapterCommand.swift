import ArgumentParser
import Foundation
import TemperFormats
import TemperIntegrity
import TemperModels

/// `temper merge-adapter BASE ADAPTER OUT`: fold a PEFT LoRA adapter into its base weights.
struct MergeAdapterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-adapter",
        abstract: "Merge a PEFT LoRA adapter into its base model (as peft's merge_and_unload).",
        discussion: """
        Each adapted weight becomes W + (lora_alpha / r) · B·A, exactly as peft's merge_and_unload computes it; every other tensor is copied. The adapter is loaded strictly: a target module the base lacks, a tensor of the wrong shape or an unknown key is an error naming the tensor and both shapes.

        OUT is written atomically as a Hugging Face folder shaped like BASE (tensor names, dtypes, sharding, config and tokenizer files), with a temper.provenance.json record that names the adapter and its manifest digest and continues BASE's provenance chain.

        Example: temper merge-adapter Fixtures/tiny-llama Fixtures/lora/peft-adapter merged
        """)

    @Argument(help: "The base model folder (or a cached ORG/NAME).") var base: String
    @Argument(help: "The PEFT adapter folder (adapter_config.json + adapter_model.safetensors).") var adapter: String
    @Argument(help: "Output folder (must not exist unless --force).") var out: String
    @Flag(name: .long, help: "Replace OUT if it exists (only once the new one is complete).") var force = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        let started = Date()
        let baseURL = try InputPath.model(base), adapterURL = try InputPath.model(adapter)
        let model = try ModelRegistry.loadCausalLM(baseURL)
        let lora = try LoRAAdapter.load(folder: adapterURL, for: model)
        try lora.merge()
        let adapterDigest = try ManifestBuilder().build(path: adapterURL.path).digest
        let outURL = URL(fileURLWithPath: out)
        let folder = try AtomicFolder(url: outURL, replace: force)
        defer { folder.abandon() }  // no-op after commit
        try model.save(to: folder.stagingURL)
        let config = lora.config
        let record: OrderedJSON = .object([
            .init(key: "input", value: .string(baseURL.lastPathComponent)),
            .init(key: "adapter", value: .string(adapterURL.lastPathComponent)),
            .init(key: "adapter_manifest", value: .string(adapterDigest.hex)),
            .init(key: "lora_rank", value: .number(String(config.rank))),
            .init(key: "lora_alpha", value: .number("\(config.alpha)")),
            .init(key: "use_rslora", value: .bool(config.useRSLoRA)),
            .init(key: "modules", value: .number(String(lora.modules.count))),
        ])
        try ProvenanceLog.recordRewrite(operation: "merge-adapter", config: record, temperVersion: TemperVersion.string, seed: nil,
                                        started: started, input: baseURL.path, output: folder.stagingURL.path)
        try folder.commit()
        let result = Result(output: outURL.path, modules: lora.modules.count, rank: config.rank, scale: config.scale,
                            adapterManifest: adapterDigest.hex)
        if output.json { try Output.json(result); return }
        Output.line("wrote \(outURL.path): merged \(lora.modules.count) modules (r \(config.rank), scale \(config.scale))")
    }

    struct Result: Encodable {
        var output: String
        var modules: Int
        var rank: Int
        var scale: Double
        var adapterManifest: String

        enum CodingKeys: String, CodingKey {
            case output, modules, rank, scale
            case adapterManifest = "adapter_manifest"
        }
    }
}
