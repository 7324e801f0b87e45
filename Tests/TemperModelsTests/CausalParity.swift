import Foundation
import Testing
import TemperTensor
@testable import TemperModels

/// Checks a decoder model against its transformers reference: logits, residual stream,
/// MLP outputs, final-normed states, logit lens, CE-loss gradients and perturbation hooks.
/// Tolerances: 1e-4 absolute on activations (f32), 1e-4 relative on gradients.
enum CausalParity {
    static func load(_ name: String) throws -> any CausalLanguageModel {
        try ModelRegistry.loadCausalLM(ModelFixtures.folder(name))
    }

    static func forward(_ name: String) throws {
        let model = try load(name)
        let ref = try ModelFixtures.reference(name)
        let tokens = try TokenBatch(rows: try ref.ints("ids"))
        let out = try noGrad {
            try model.forward(tokens, options: ForwardOptions(captureResiduals: true, captureMLPOutputs: true))
        }
        let logits = try difference(try #require(out.logits), try ref.tensor("logits"))
        report("\(name) logits", logits)
        #expect(logits.maxAbs <= 1e-4, "\(name) logits: \(logits)")
        let final = try difference(try #require(out.finalHidden), try ref.tensor("final_hidden"))
        #expect(final.maxAbs <= 1e-4, "\(name) final hidden: \(final)")
        #expect(out.residuals.count == model.layerCount + 1)
        #expect(out.mlpOutputs.count == model.layerCount)
        var worst: Float = 0
        for (i, h) in out.residuals.enumerated() {
            let d = try difference(h, try ref.tensor("residual.\(i)"))
            worst = max(worst, d.maxAbs)
            #expect(d.maxAbs <= 1e-4, "\(name) residual \(i): \(d)")
        }
        for (i, m) in out.mlpOutputs.enumerated() {
            let d = try difference(m, try ref.tensor("mlp.\(i)"))
            worst = max(worst, d.maxAbs)
            #expect(d.maxAbs <= 1e-4, "\(name) mlp \(i): \(d)")
        }
        print("parity \(name) residuals + mlp outputs: max |Δ| \(worst)")
        let lens = try difference(try noGrad { try model.logitLens(out.residuals[1]) }, try ref.tensor("lens.1"))
        #expect(lens.maxAbs <= 1e-4, "\(name) logit lens: \(lens)")
    }

    static func gradients(_ name: String) throws {
        let model = try load(name)
        let ref = try ModelFixtures.reference(name)
        let ids = try ref.ints("train_ids"), mask = try ref.ints("train_mask"), labels = try ref.ints("train_labels")
        let tokens = try TokenBatch(ids: ids.flatMap { $0 }, batchSize: ids.count, attentionMask: mask.flatMap { $0 }.map { $0 != 0 })
        let (loss, _) = try model.loss(tokens, labels: labels.flatMap { $0 })
        let expectedLoss = Float(try ref.number("train_loss")), actualLoss = try loss.item()
        #expect(abs(actualLoss - expectedLoss) <= 1e-5 * max(1, expectedLoss), "\(name) loss \(actualLoss) vs \(expectedLoss)")
        try loss.backward()
        for param in try #require(ref.json["grad_params"] as? [String]) {
            let p = try #require(model.parameters.named(param), "parameter \(param)")
            let d = try difference(try #require(p.tensor.grad, "grad of \(param)"), try ref.tensor("grad.\(param)"))
            report("\(name) grad \(param)", d)
            #expect(d.relative <= 1e-4, "\(name) grad \(param): \(d)")
        }
    }

    static func perturbations(_ name: String) throws {
        let model = try load(name)
        let ref = try ModelFixtures.reference(name)
        let rows = try ref.ints("ids")
        let tokens = try TokenBatch(rows: rows)
        let deltas = try [0, 1].map { i -> Tensor in
            let r = try ref.tensor("delta.\(i)")
            return try Tensor(shape: r.shape, values: r.values, requiresGrad: true)
        }
        // Parameters frozen: only the perturbations get gradients.
        model.parameters.setTrainable { _ in false }
        let out = try model.forward(tokens, options: ForwardOptions(perturbations: [0: deltas[0], 1: deltas[1]]))
        let logits = try #require(out.logits)
        let d = try difference(logits, try ref.tensor("perturbed_logits"))
        #expect(d.maxAbs <= 1e-4, "\(name) perturbed logits: \(d)")
        let loss = try LanguageModelLoss.causal(logits: logits, labels: rows.flatMap { $0 })
        let lossValue = try loss.item(), expectedLoss = Float(try ref.number("perturbed_loss"))
        #expect(abs(lossValue - expectedLoss) <= 1e-4, "\(name) perturbed loss \(lossValue) vs \(expectedLoss)")
        let grads = try TemperTensor.gradients(of: loss, wrt: deltas)
        for (i, g) in grads.enumerated() {
            let dg = try difference(g, try ref.tensor("delta_grad.\(i)"))
            report("\(name) perturbation grad \(i)", dg)
            #expect(dg.relative <= 1e-4, "\(name) δ\(i) grad: \(dg)")
        }
        #expect(model.parameters.allSatisfy { $0.tensor.grad == nil })
    }

    static func generation(_ name: String) throws {
        let model = try load(name)
        let ref = try ModelFixtures.reference(name)
        let result = try model.generate(prompt: try ref.flatInts("prompt"),
                                        config: GenerationConfig(maxNewTokens: 8, stopTokens: []))
        #expect(result.tokens == (try ref.flatInts("generated")), "\(name) greedy generation")
        #expect(result.stopReason == .maxTokens)
    }
}
