import ArgumentParser
import Foundation
import TemperHarden
import TemperWorld

/// The options of `temper unlearn` after METHOD IN OUT, shared with `temper job export unlearn`.
struct UnlearnOptions: ParsableArguments {
    static let discussion = """
        METHOD and its loss per step (forget batch F, retain batch R; CE = response-only mean cross-entropy; γ = --gamma, α = --retain-weight):
          ga        −γ·CE(F). locuslab/open-unlearning src/trainer/unlearn/grad_ascent.py. No retain term.
          graddiff  −γ·CE(F) + α·CE(R). open-unlearning grad_diff.py (gamma/alpha as there).
          npo       γ·(−2/β)·mean logσ(−β·(log π_θ(y|x) − log π_ref(y|x))) + α·CE(R), sequence log-probs summed over response tokens, π_ref the start model loaded a second time (frozen). Zhang et al. 2024; open-unlearning npo.py and utils.py compute_dpo_loss. β default 0.1.
          simnpo    γ·(−2/β)·mean logσ(β·(−log π_θ(y|x)/|y| − δ)) + α·CE(R), no reference model. Fan et al. 2024; open-unlearning simnpo.py. β default 1, δ 0 (that file's defaults).
          rmu       MSE(h_l(F), c·u) + α·MSE(h_l(R), h_l^frozen(R)) over real tokens, h_l the residual after block l, u uniform [0, 1) normalised to unit length (seeded by --steering-seed, default --seed); trains only the MLP down-projections (Llama down_proj, GPT-2 mlp.c_proj) of blocks l−2…l. Li et al. 2024; centerforaisafety/wmdp rmu/unlearn.py.

        Defaults (calibrated on the fixture world, Experiments/unlearning.md): 60 steps of batch 8, γ 1, α 1 (ga: none); lr 5e-5 (ga), 1e-4 (graddiff, npo), 3e-4 (simnpo). RMU: lr 1e-2 and α 10 on the world (the reference's lr 5e-5 and α 1200 for Zephyr-7B did not move the world's forget accuracy: its forget and retain prompts share every token before the entity); l = round(7/32 · layers) — the reference steers layer 7 of 32 — at least 2 when the model has 3 or more blocks; c = --steering-scale (4) × the frozen model's mean residual norm at l on the first forget batch, because the reference's c = 6.5 is an absolute number tuned for Zephyr-7B's activations and means nothing on another model (the scale 4 is our choice, not calibrated against the reference). The layer, c and the norm it was set against are recorded in OUT's provenance config.

        Data: --forget and --retain are JSONL files of prompt/response rows (Formats/datasets.md); --world W fills in the world's forget and retain fact splits for files not given. Rows in both sets are reported (a warning on stderr and forgetRetainOverlap in the result). Works on every causal LM Temper loads.

        Example: temper unlearn npo my-model out/npo --forget forget.jsonl --retain retain.jsonl --beta 0.1 --retain-weight 1
        """

    @Option(name: .long, help: "JSONL of the rows to forget.") var forget: String?
    @Option(name: .long, help: "JSONL of the rows to keep (all methods but ga).") var retain: String?
    @OptionGroup var world: WorldPresetOptions
    @Option(name: .long, help: "Weight α of the retain term (default 1; rmu 10; 0 turns it off except for rmu).") var retainWeight: Double?
    @Option(name: .long, help: "Weight γ of the forget term.") var gamma: Double = 1
    @Option(name: .long, help: "NPO/SimNPO inverse temperature β (default 0.1 for npo, 1 for simnpo).") var beta: Double?
    @Option(name: .long, help: "SimNPO margin δ.") var delta: Double = 0
    @Option(name: .long, help: "RMU: block l whose output is steered (0-based; default round(7/32 · layers), ≥ 2).") var layer: Int?
    @Option(name: .long, help: "RMU: absolute steering coefficient c (default: --steering-scale × the residual norm at l).") var steeringCoeff: Double?
    @Option(name: .long, help: "RMU: c relative to the frozen model's mean residual norm at l.") var steeringScale: Double = 4
    @Option(name: .long, help: "RMU: seed of the steering direction u (default --seed).") var steeringSeed: UInt64?
    @OptionGroup var loop: TrainingLoopOptions

    func check(_ method: UnlearnMethod) throws {
        if forget == nil && world.world == nil { throw ValidationError("give --forget FILE (or --world W)") }
        if let beta, !(beta > 0 && beta.isFinite) { throw ValidationError("--beta must be positive") }
        guard gamma > 0, gamma.isFinite else { throw ValidationError("--gamma must be positive") }
        if let retainWeight, !(retainWeight >= 0 && retainWeight.isFinite) { throw ValidationError("--retain-weight must be ≥ 0") }
        if method == .ga && (retainWeight ?? 0) > 0 { throw ValidationError("ga has no retain term; use graddiff for −CE(forget) + α·CE(retain)") }
        if method == .rmu && retainWeight == 0 { throw ValidationError("rmu always holds retain activations: --retain-weight must be positive") }
        if method == .rmu && loop.freezeLayers != nil { throw ValidationError("rmu trains only the down-projections of blocks l−2…l; --freeze-layers does not apply") }
        if let layer, layer < 0 { throw ValidationError("--layer must be ≥ 0") }
        if let steeringCoeff, !(steeringCoeff > 0) { throw ValidationError("--steering-coeff must be positive") }
        guard steeringScale > 0 else { throw ValidationError("--steering-scale must be positive") }
        if method != .rmu && (layer != nil || steeringCoeff != nil || steeringSeed != nil) {
            throw ValidationError("--layer, --steering-coeff and --steering-seed apply to rmu only")
        }
    }

    /// The transform and its rows, and the world preset when --world was given.
    func prepared(_ method: UnlearnMethod) throws -> (UnlearnTransform, ForgetRetainData, WorldPreset?) {
        let preset = try world.preset()
        guard let forgetRows = try DataArgument.rows(forget, role: "forget", option: "--forget", world: preset, split: AuditRelearnCommand.WorldSplits.forget) else {
            throw UsageError("give --forget FILE (or --world W)")
        }
        let defaults = UnlearnTransform.defaultTraining(method)
        let alpha = retainWeight ?? defaults.retainWeight
        let wantsRetain = method == .rmu || (method != .ga && alpha > 0)
        let retainRows = try DataArgument.rows(retain, role: "retain", option: "--retain", world: wantsRetain ? preset : nil,
                                               split: AuditRelearnCommand.WorldSplits.retain, required: wantsRetain)
        let data = try ForgetRetainData(forget: forgetRows, retain: retainRows)
        let transform = UnlearnTransform(method: method, gamma: gamma, beta: beta, delta: delta, layer: layer, steeringCoefficient: steeringCoeff,
                                         steeringScale: steeringScale, steeringSeed: steeringSeed,
                                         training: loop.training(defaults: defaults, retainWeight: alpha, rows: forgetRows.rows.count, world: preset != nil))
        return (transform, data, preset)
    }
}
