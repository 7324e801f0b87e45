import Foundation
import TemperModels
import TemperTensor
import TemperText

/// The step objective of each unlearning method over the shared loop (`HardenTrainer.runSteps`
/// inside `TransformRunner`): GA and GradDiff follow locuslab/open-unlearning
/// src/trainer/unlearn/grad_ascent.py and grad_diff.py (loss = γ·forget + α·retain CE), NPO
/// and SimNPO its npo.py and simnpo.py, RMU centerforaisafety/wmdp rmu/unlearn.py.
enum UnlearnRunner {
    static func run(_ transform: UnlearnTransform, modelFolder: URL, data: ForgetRetainData, output: URL, options: HardenRunOptions,
                    resolved: (UnlearnTransform) -> Void) throws -> HardenResult {
        var config = transform
        let settings = transform.training
        let summary = "\(data.forget.rows.count) forget rows" + (data.retain.map { ", \($0.rows.count) retain rows" } ?? "")
        return try TransformRunner.run(operation: UnlearnTransform.operation + " " + transform.method.rawValue, config: { config },
                                       settings: settings, modelFolder: modelFolder,
                                       data: TransformRunner.DataDescription(records: data.records, summary: summary),
                                       output: output, options: options) { model, encoding in
            let batches = try ForgetRetainBatches(encoding: encoding, data: data, settings: settings, needsRetain: transform.needsRetain)
            // π_ref (NPO) and the frozen activations (RMU): the start model, loaded a second time, never trained.
            let frozen = transform.method == .npo || transform.method == .rmu ? try ModelRegistry.loadCausalLM(modelFolder) : nil
            frozen?.parameters.setTrainable { _ in false }
            var isTrainable: ((ModelParameter) -> Bool)? = nil
            var control: Tensor?
            var rmuLayer = 0
            if transform.method == .rmu, let frozen {
                let rmu = try RMUSetup(transform, start: frozen, batches: batches, modelFolder: modelFolder)
                control = rmu.control
                rmuLayer = rmu.layer
                config = rmu.recorded(transform)
                isTrainable = rmu.isTrainable
                options.log(String(format: "rmu: layer %d of %d, residual norm %.3f, c %.3f, α %g; training the MLP down-projections of blocks %d...%d",
                                   rmu.layer, model.layerCount, rmu.residualNorm, rmu.coefficient, settings.retainWeight, max(0, rmu.layer - 2), rmu.layer))
            }
            resolved(config)
            return try HardenTrainer.runSteps(model: model, settings: settings, isTrainable: isTrainable, stateFolder: options.stateFolder,
                                              saveEvery: options.saveEvery, lossLog: options.lossLog, log: options.log) { step in
                try objective(transform, model: model, frozen: frozen, control: control, layer: rmuLayer, batches: batches, step: step.step)
            }
        }
    }

    static func objective(_ t: UnlearnTransform, model: any CausalLanguageModel, frozen: (any CausalLanguageModel)?, control: Tensor?,
                          layer: Int, batches: ForgetRetainBatches, step: Int) throws -> StepLoss {
        let forget = try batches.forgetBatch(step: step)
        let retain = try batches.retainBatch(step: step)
        let tokens = forget.attentionMask.reduce(0) { $0 + Int($1) } + (retain?.attentionMask.reduce(0) { $0 + Int($1) } ?? 0)
        var metrics: [String: Double] = [:]
        let alpha = Float(t.training.retainWeight)
        var loss: Tensor
        switch t.method {
        case .ga, .graddiff:
            let ce = try UnlearnLoss.crossEntropy(model, forget)
            metrics["forget_ce"] = Double(try ce.item())
            loss = ce * Float(-t.gamma)
        case .npo:
            guard let frozen else { throw HardenError.invalidConfig("NPO without a reference model") }
            let term = try UnlearnLoss.npo(model, reference: frozen, forget, beta: t.beta)
            metrics["npo"] = Double(try term.item())
            loss = term * Float(t.gamma)
        case .simnpo:
            let term = try UnlearnLoss.simNPO(model, forget, beta: t.beta, delta: t.delta)
            metrics["simnpo"] = Double(try term.item())
            loss = term * Float(t.gamma)
        case .rmu:
            guard let frozen, let control, let retain else { throw HardenError.invalidConfig("RMU without its frozen model, control vector or retain batch") }
            let parts = try UnlearnLoss.rmu(model, frozen: frozen, forget: forget, retain: retain, layer: layer, control: control)
            metrics["forget_mse"] = Double(try parts.forget.item())
            metrics["retain_mse"] = Double(try parts.retain.item())
            loss = try parts.forget * Float(t.gamma) + parts.retain * alpha
            metrics["loss"] = Double(try loss.item())
            return StepLoss(loss: loss, tokens: tokens, metrics: metrics)
        }
        // GA draws no retain batch (`needsRetain`); the others add α·CE(retain).
        if let retain, alpha > 0 {
            let ce = try UnlearnLoss.crossEntropy(model, retain)
            metrics["retain_ce"] = Double(try ce.item())
            loss = try loss + ce * alpha
        }
        metrics["loss"] = Double(try loss.item())
        return StepLoss(loss: loss, tokens: tokens, metrics: metrics)
    }
}
