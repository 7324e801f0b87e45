import ArgumentParser
import Foundation
import TemperAudit
import TemperHarden
import TemperWorld

/// The data both audits take: files, or the world's splits with `--world`.
struct AuditDataOptions: ParsableArguments {
    @Option(name: .long, help: "JSONL of harmful pairs (prompt, harmful response, refusal): the attack's training rows and the attacked evaluation set.")
    var harmful: String?
    @Option(name: .long, help: "JSONL of harmless (prompt, response) rows: stability and the probe's negative class.") var harmless: String?
    @Option(name: .long, help: "JSONL of held-out harmful prompts of the same domain (in-domain generalization).") var heldout: String?
    @Option(name: .long, help: "JSONL of harmful prompts of another domain (cross-domain generalization).") var crossDomain: String?
    @Option(name: .long, help: "JSONL the attack trains on instead of --harmful.") var attackData: String?
    @Option(name: .long, help: "JSONL of a new harmless task to fine-tune on (trainability).") var newTask: String?
    @Option(name: .long, help: "JSONL of the new task's test rows (exact-match accuracy before and after).") var newTaskTest: String?
    @OptionGroup var world: WorldPresetOptions
    @OptionGroup var judges: JudgeOptions
    @OptionGroup var text: TextOptions

    func validate() throws {
        if world.world == nil && (harmful == nil || harmless == nil) {
            throw ValidationError("give --harmful PAIRS.jsonl and --harmless HARMLESS.jsonl (or --world W)")
        }
    }

    func data() throws -> AuditData {
        let preset = try world.preset()
        func rows(_ path: String?, _ role: String, _ option: String, _ split: String?, required: Bool = false) throws -> RowSet? {
            try DataArgument.rows(path, role: role, option: option, world: preset, split: split, required: required)
        }
        guard let pairs = try rows(harmful, "harmful", "--harmful", WorldPreset.harmfulSplit, required: true),
              let harmlessRows = try rows(harmless, "harmless", "--harmless", WorldPreset.harmlessTestSplit, required: true) else {
            throw UsageError("give --harmful PAIRS.jsonl and --harmless HARMLESS.jsonl (or --world W)")
        }
        try pairs.requireRefusals()
        let check: ((URL) throws -> Void)? = preset.map { p in { try p.checkModel($0) } }
        return try AuditData(harmful: pairs, harmless: harmlessRows,
                             heldOut: try rows(heldout, "heldout", "--heldout", WorldPreset.heldOutSplit),
                             crossDomain: try rows(crossDomain, "cross-domain", "--cross-domain", WorldPreset.crossDomainSplit),
                             attackTrain: try rows(attackData, "attack", "--attack-data", nil),
                             newTaskTrain: try rows(newTask, "new-task", "--new-task", WorldPreset.newTaskTrainSplit),
                             newTaskTest: try rows(newTaskTest, "new-task-test", "--new-task-test", WorldPreset.newTaskTestSplit),
                             judges: try judges.judges(world: preset), text: try text.options(world: preset), checkModel: check)
    }

    /// Stability by exact match on the world's one-answer tasks, by log-likelihood on files.
    var defaultStabilityMetric: StabilityMetric { harmless == nil && world.world != nil ? .exactMatch : .logLikelihood }
}

extension StabilityMetric: ExpressibleByArgument {}
