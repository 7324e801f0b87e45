import ArgumentParser
import Foundation
import TemperHarden
import TemperIntegrity
import TemperText
import TemperWorld

/// Flags every `temper harden` transform shares: the paired data and the retain term, plus
/// the shared training loop's flags (`TrainingLoopOptions`).
struct HardenTrainingOptions: ParsableArguments {
    @Option(name: .long, help: "JSONL of harmful pairs: prompt, harmful response and refusal on every row.") var harmful: String?
    @Option(name: .long, help: "JSONL of harmless (prompt, response) rows for the retain term.") var retain: String?
    @OptionGroup var world: WorldPresetOptions
    @Option(name: .long, help: "Weight of the cross-entropy on harmless rows (0 = refusals only, the reference recipe).")
    var retainWeight: Double = 1
    @OptionGroup var loop: TrainingLoopOptions

    var key: String? { loop.key }
    var state: String? { loop.state }
    var saveEvery: Int? { loop.saveEvery }
    var logLosses: String? { loop.logLosses }
    var force: Bool { loop.force }

    func validate() throws {
        guard retainWeight >= 0 else { throw ValidationError("--retain-weight must be ≥ 0") }
    }

    /// The rows: the files given, the world's splits for the others (with --world).
    func data(retainWeight: Double) throws -> HardenData {
        let preset = try world.preset()
        guard let pairs = try DataArgument.rows(harmful, role: "harmful", option: "--harmful", world: preset, split: WorldPreset.harmfulSplit) else {
            throw UsageError("give --harmful PAIRS.jsonl (or --world W)")
        }
        let retainRows = retainWeight > 0
            ? try DataArgument.rows(retain, role: "retain", option: "--retain", world: preset, split: WorldPreset.retainSplit, required: false) : nil
        if retainWeight > 0 && retainRows == nil {
            throw UsageError("the retain term (--retain-weight \(retainWeight)) needs --retain HARMLESS.jsonl; pass --retain-weight 0 to train on the pairs alone")
        }
        return try HardenData(harmful: pairs, retain: retainRows)
    }

    /// The settings, starting from the transform's defaults.
    func training(defaults: HardenTraining, data: HardenData) throws -> HardenTraining {
        loop.training(defaults: defaults, retainWeight: retainWeight, rows: data.harmful.rows.count, world: world.world != nil)
    }

    func runOptions(input: String? = nil) throws -> HardenRunOptions {
        try loop.runOptions(world: try world.preset(), input: input)
    }

    func report(_ result: HardenResult, json: Bool) throws {
        if json { try Output.json(result); return }
        TrainingLoopOptions.reportLines(result)
    }
}

/// Bad rows, models and judges are bad input data (65); a setting outside its range (or an
/// existing OUT) is a usage error (64); everything else is a failure (1).
extension HardenError: ExitCoded {
    public var exitCode: Int32 {
        if isBadInput { return 65 }
        switch self {
        case .invalidSetting, .outputExists: return 64
        default: return 1
        }
    }
}
