import ArgumentParser
import Foundation
import TemperFormats

/// `--lora-rank R [--lora-alpha A] [--lora-targets …] [--lora-dropout P]`: train a LoRA
/// adapter in PEFT format instead of every weight. Shared by the commands that train.
struct LoRAOptions: ParsableArguments {
    @Option(name: .long, help: "Train a LoRA adapter of this rank instead of every weight; the output is a PEFT adapter folder.")
    var loraRank: Int?

    @Option(name: .long, help: "LoRA alpha: the adapter's update is scaled by alpha / rank (default 8, as peft).")
    var loraAlpha: Double?

    @Option(name: .long, help: "Comma-separated module names to adapt, matched as peft's target_modules (default: peft's choice for the architecture, q_proj,v_proj for the Llama family and c_attn for GPT-2); all-linear adapts every linear layer.")
    var loraTargets: String?

    @Option(name: .long, help: "Dropout on the adapter's input while training, seeded by step (default 0).")
    var loraDropout: Double?

    func validate() throws {
        guard let rank = loraRank else {
            if loraAlpha != nil || loraTargets != nil || loraDropout != nil {
                throw ValidationError("--lora-alpha, --lora-targets and --lora-dropout need --lora-rank")
            }
            return
        }
        guard (1...65_536).contains(rank) else { throw ValidationError("--lora-rank must be within 1...65536") }
        if let a = loraAlpha, !(a.isFinite && a > 0) { throw ValidationError("--lora-alpha must be positive") }
        if let p = loraDropout, !(0..<1).contains(p) { throw ValidationError("--lora-dropout must be in [0, 1)") }
        if loraTargets != nil, targets.isEmpty { throw ValidationError("--lora-targets lists no module names") }
    }

    /// The names given (empty: peft's default for the architecture).
    var targets: [String] {
        guard let loraTargets else { return [] }
        return loraTargets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The adapter settings, or nil without `--lora-rank`.
    var config: PEFTAdapterConfig? {
        guard let loraRank else { return nil }
        return PEFTAdapterConfig(rank: loraRank, alpha: loraAlpha ?? 8, targets: .names(targets), dropout: loraDropout ?? 0)
    }
}

/// `--adapter DIR`: load a PEFT LoRA adapter on top of the model, unmerged.
struct AdapterOptions: ParsableArguments {
    @Option(name: .long, help: "A PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors, or a cached ORG/NAME) applied on top of the model, unmerged.")
    var adapter: String?

    func url() throws -> URL? { try adapter.map { try InputPath.model($0) } }
}
