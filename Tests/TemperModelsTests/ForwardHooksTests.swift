import Foundation
import Testing
import TemperTensor
@testable import TemperModels

/// Capture, perturbation and early-stop conventions shared by all architectures.
@Suite struct ForwardHooksTests {
    let model: LlamaModel
    let tokens: TokenBatch
    init() throws {
        model = try LlamaModel.load(ModelFixtures.folder("tiny-llama"))
        tokens = try TokenBatch(rows: [[1, 4, 10, 20, 7], [1, 8, 9, 30, 2]])
    }

    @Test func residualIndicesFollowHiddenStates() {
        #expect(ResidualIndex.embedding == 0 && ResidualIndex.afterBlock(0) == 1 && ResidualIndex.afterBlock(1) == 2)
    }

    @Test func stoppingEarlyGivesTheSameResidualsWithoutLogits() throws {
        let full = try noGrad { try model.forward(tokens, options: ForwardOptions(captureResiduals: true, captureMLPOutputs: true)) }
        let early = try noGrad { try model.forward(tokens, options: ForwardOptions(captureResiduals: true, captureMLPOutputs: true, stopAfterBlock: 0)) }
        #expect(early.logits == nil && early.finalHidden == nil)
        #expect(early.residuals.count == 2 && early.mlpOutputs.count == 1)
        #expect(early.residuals[1].toArray() == full.residuals[1].toArray())
        #expect(full.residual(afterBlock: 1)?.toArray() == full.residuals[2].toArray())
        #expect(early.residual(afterBlock: 1) == nil)
        // The final-normed states are the norm of the last residual; the lens of it is the logits.
        let lens = try noGrad { try model.logitLens(full.residuals[2]) }
        #expect(difference(lens.toArray(), try #require(full.logits).toArray()).maxAbs == 0)
        let nothing = try noGrad { try model.forward(tokens, options: ForwardOptions(logits: .none)) }
        #expect(nothing.logits == nil && nothing.finalHidden != nil && nothing.residuals.isEmpty)
    }

    @Test func broadcastPerturbationEqualsTheFullTensor() throws {
        var rng = TensorRNG(seed: 1)
        let vector = try Tensor.randn([64], std: 0.3, rng: &rng)
        let full = try vector.broadcast(to: [2, 5, 64])
        let a = try noGrad { try model.logits(tokens, perturbing: [2: vector]) }
        let b = try noGrad { try model.logits(tokens, perturbing: [2: full]) }
        let plain = try noGrad { try model.logits(tokens) }
        #expect(a.toArray() == b.toArray())
        #expect(difference(a.toArray(), plain.toArray()).maxAbs > 1e-3)
    }

    @Test func perturbationsAreCapturedAndRecorded() throws {
        let delta = try Tensor.zeros([2, 5, 64], requiresGrad: true)
        let out = try model.forward(tokens, options: ForwardOptions(captureResiduals: true, perturbations: [1: delta]))
        // δ = 0 changes nothing, but the graph reaches it.
        let plain = try noGrad { try model.forward(tokens, options: ForwardOptions(captureResiduals: true)) }
        #expect(out.residuals[1].toArray() == plain.residuals[1].toArray())
        let g = try gradients(of: try out.residuals[2].sum(), wrt: [delta])[0]
        #expect(g.toArray().contains { $0 != 0 })
    }

    @Test func badPerturbationsAreRejected() throws {
        let wrongShape = try Tensor.zeros([2, 4, 64])
        #expect(throws: ModelError.self) { try model.forward(tokens, options: ForwardOptions(perturbations: [0: wrongShape])) }
        let widening = try Tensor.zeros([3, 2, 5, 64])
        #expect(throws: ModelError.self) { try model.forward(tokens, options: ForwardOptions(perturbations: [0: widening])) }
        let ok = try Tensor.zeros([2, 5, 64])
        #expect(throws: ModelError.self) { try model.forward(tokens, options: ForwardOptions(perturbations: [3: ok])) }
        #expect(throws: ModelError.self) { try model.forward(tokens, options: ForwardOptions(perturbations: [-1: ok])) }
        #expect(throws: ModelError.self) { try model.forward(tokens, options: ForwardOptions(perturbations: [2: ok], stopAfterBlock: 0)) }
        #expect(throws: ModelError.self) { try model.forward(tokens, options: ForwardOptions(stopAfterBlock: 2)) }
    }

    @Test func attentionAndMLPOutputsAddUpToEachBlocksResidualStep() throws {
        var options = ForwardOptions(captureResiduals: true, captureMLPOutputs: true)
        options.captureAttentionOutputs = true
        let out = try noGrad { try model.forward(tokens, options: options) }
        #expect(out.attentionOutputs.count == model.layerCount && out.mlpOutputs.count == model.layerCount)
        for l in 0..<model.layerCount {
            let step = try noGrad { try out.residuals[l + 1] - out.residuals[l] }
            let parts = try noGrad { try out.attentionOutputs[l] + out.mlpOutputs[l] }
            #expect(difference(step.toArray(), parts.toArray()).maxAbs <= 1e-5, "block \(l)")
        }
        let none = try noGrad { try model.forward(tokens) }
        #expect(none.attentionOutputs.isEmpty)
    }

    @Test func startingAtAResidualPointSkipsTheBlocksBelowIt() throws {
        let delta = try Tensor(shape: [2, 5, 64], repeating: 0.05)
        let full = try noGrad { try model.forward(tokens, options: ForwardOptions(captureResiduals: true, perturbations: [1: delta])) }
        let clean = try noGrad { try model.forward(tokens, options: ForwardOptions(captureResiduals: true, stopAfterBlock: 0)) }
        var options = ForwardOptions(captureResiduals: true, perturbations: [1: delta])
        options.start = ResidualStart(index: 1, value: clean.residuals[1])
        let started = try noGrad { try model.forward(tokens, options: options) }
        // Captures begin at the start point; the perturbation there is applied to the start tensor.
        #expect(started.residuals.count == model.layerCount)
        #expect(difference(try #require(started.logits).toArray(), try #require(full.logits).toArray()).maxAbs <= 1e-5)
        #expect(difference(started.residuals[0].toArray(), full.residuals[1].toArray()).maxAbs <= 1e-6)
    }

    @Test func rightPaddingLeavesRealPositionsUnchanged() throws {
        let padded = try TokenBatch(ids: [1, 4, 10, 20, 7, 1, 8, 9, 0, 0], batchSize: 2,
                                    attentionMask: [true, true, true, true, true, true, true, true, false, false])
        let logits = try noGrad { try model.logits(padded) }
        let alone = try noGrad { try model.logits(try TokenBatch([1, 8, 9])) }
        let row = try logits.slice(axis: 0, 1..<2).slice(axis: 1, 0..<3)
        #expect(difference(row.toArray(), alone.toArray()).maxAbs <= 1e-6)
    }
}

extension CausalLanguageModel {
    func logits(_ tokens: TokenBatch, perturbing: [Int: Tensor]) throws -> Tensor {
        try #require(try forward(tokens, options: ForwardOptions(perturbations: perturbing)).logits)
    }
}
