import Foundation
import Testing
import TemperModels
import TemperTensor
import TemperText
@testable import TemperHarden

/// Loss fidelity of targeted LAT against the torch reference formulas
/// (Fixtures/lat/make_reference.py, float64): the adversary loss and its δ-gradients, one
/// projected AdamW step, the model loss and weight gradients, the KL penalty; plus a
/// finite-difference check of dLoss/dδ.
@Suite struct LATLossTests {
    static let tolerance = 1e-5
    static let fixture = HardenFixtures.root.appendingPathComponent("Fixtures/lat")

    struct Parts: Decodable { var toward: Double, away: Double, total: Double }
    struct Reference: Decodable {
        var rows: [HardenFixtures.Row]
        var unwanted_ids: [[Int]], desired_ids: [[Int]], prompt_lengths: [Int]
        var block: Int, epsilons: [String: Double], inner_lr: Double
        var adversary_coefficients: [String: Double], model_coefficients: [String: Double]
        var adversary: Parts, model_loss: Parts, kl: Double, gradients: [String]
    }

    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: try Data(contentsOf: fixture.appendingPathComponent("reference.json")))
    }

    static func tensor(_ name: String) throws -> Tensor {
        try HardenFixtures.tensor(name, file: fixture.appendingPathComponent("reference.safetensors"))
    }

    /// The world model (every weight trainable), the reference batch, and the fixed δ as an adversary.
    static func setup() throws -> (LlamaModel, LATBatch, LatentAdversary, Reference) {
        let reference = try reference()
        let model = try LlamaModel.load(HardenFixtures.worldModel)
        model.parameters.setTrainable { _ in true }
        let tokenizer = try Tokenizer.load(HardenFixtures.worldModel)
        let rows = reference.rows.map { DatasetRow(prompt: $0.prompt, response: $0.response, refusal: $0.refusal) }
        let examples = try PairedData.examples(try HardenFixtures.set(rows), encoding: try HardenFixtures.encoding(model, tokenizer))
        let batch = try LATBatch(try PairedBatch(examples, padId: tokenizer.padTokenId ?? 0))
        let adversary = try LatentAdversary(indices: [0, 2], epsilons: [0: Float(reference.epsilons["0"] ?? 0), 2: Float(reference.epsilons["2"] ?? 0)],
                                            batchSize: batch.pairs.batchSize, length: batch.pairs.length, hidden: model.hiddenSize,
                                            attackMask: batch.attackMask(completions: true),
                                            initial: [0: try tensor("delta.0"), 2: try tensor("delta.2")])
        return (model, batch, adversary, reference)
    }

    static let adversaryCoefficients = LATCoefficients(toward: 1, away: 1)
    static let modelCoefficients = LATCoefficients(toward: 0.5, away: 0.5, kl: 0.1)

    @Test func theBatchIsTheReferenceBatch() throws {
        let (_, batch, _, reference) = try Self.setup()
        #expect(batch.pairs.promptLengths == reference.prompt_lengths)
        #expect(batch.pairs.harmfulIds == reference.unwanted_ids.flatMap { $0 })
        #expect(batch.pairs.refusalIds == reference.desired_ids.flatMap { $0 })
        #expect(ResidualIndex.afterBlock(reference.block) == 2)
        #expect(reference.adversary_coefficients == ["toward": 1, "away": 1] && reference.model_coefficients == ["toward": 0.5, "away": 0.5, "kl": 0.1])
    }

    @Test func adversaryLossAndDeltaGradientsMatchTheReference() throws {
        let (model, batch, adversary, reference) = try Self.setup()
        let inputs = try LatentAttack.Inputs(model: model, batch: batch, first: 0)
        let parts = try LatentAttack.loss(model: model, inputs: inputs, adversary: adversary, coefficients: Self.adversaryCoefficients)
        try expectClose(try #require(parts.toward), reference.adversary.toward, "adversary toward")
        try expectClose(try #require(parts.away), reference.adversary.away, "adversary away")
        try expectClose(parts.total, reference.adversary.total, "adversary total")
        let deltas = [0, 2].compactMap { adversary.deltas[$0] }
        let grads = try gradients(of: parts.total, wrt: deltas)
        for (i, g) in zip([0, 2], grads) {
            let error = HardenFixtures.relative(g, try Self.tensor("adversary_grad.\(i)"))
            print("LAT adversary dL/dδ at residual \(i): relative error \(error)")
            #expect(error < Self.tolerance, "dL/dδ at \(i): relative error \(error)")
        }
    }

    /// Starting the pass at the block-1 residual (a δ there only) equals the full pass.
    @Test func startingAboveTheFrozenBlocksGivesTheSameLoss() throws {
        let (model, batch, adversary, _) = try Self.setup()
        let upper = try LatentAdversary(indices: [2], epsilons: [2: 4], batchSize: batch.pairs.batchSize, length: batch.pairs.length,
                                        hidden: model.hiddenSize, attackMask: batch.attackMask(completions: true),
                                        initial: [2: try #require(adversary.deltas[2]).detach()])
        let started = try LatentAttack.loss(model: model, inputs: try LatentAttack.Inputs(model: model, batch: batch, first: 2),
                                            adversary: upper, coefficients: Self.adversaryCoefficients)
        let full = try LatentAttack.loss(model: model, inputs: try LatentAttack.Inputs(model: model, batch: batch, first: 0),
                                         adversary: upper, coefficients: Self.adversaryCoefficients)
        #expect(HardenFixtures.relative(Double(try started.total.item()), Double(try full.total.item())) < 1e-6)
    }

    /// AdamW's first step is lr·g/(|g| + 1e-8), nearly lr·sign(g): where a component of the
    /// gradient is near 0, float32 rounding can move it by a whole lr. So the step and the
    /// projection are checked exactly on the reference's own gradient, and end to end
    /// (Temper's float32 gradient) within 1e-3.
    @Test func oneProjectedStepMatchesTheReference() throws {
        for own in [false, true] {
            let (model, batch, adversary, reference) = try Self.setup()
            let inputs = try LatentAttack.Inputs(model: model, batch: batch, first: 0)
            let optimizer = AdamW(parameters: [0, 2].compactMap { adversary.deltas[$0] }, learningRate: reference.inner_lr)
            if own {
                _ = try LatentAttack.step(model: model, inputs: inputs, adversary: adversary, optimizer: optimizer, coefficients: Self.adversaryCoefficients)
            } else {
                for i in [0, 2] { adversary.deltas[i]?.grad = try Self.tensor("adversary_grad.\(i)") }
                try optimizer.step()
                adversary.project()
            }
            for i in [0, 2] {
                let stepped = try #require(adversary.deltas[i])
                let error = HardenFixtures.relative(stepped, try Self.tensor("stepped.\(i)"))
                print("LAT stepped δ at residual \(i) (\(own ? "Temper's" : "the reference's") gradient): relative error \(error)")
                #expect(error < (own ? 1e-3 : Self.tolerance), "stepped δ at \(i): relative error \(error)")
                // Every token is back inside its ball, and some were projected.
                let eps = Float(reference.epsilons["\(i)"] ?? 0), values = stepped.toArray(), h = model.hiddenSize
                var onSphere = 0
                for t in stride(from: 0, to: values.count, by: h) {
                    let norm = values[t..<(t + h)].reduce(0) { $0 + $1 * $1 }.squareRoot()
                    #expect(norm <= eps * (1 + 1e-5))
                    if abs(norm - eps) < eps * 1e-4 { onSphere += 1 }
                }
                #expect(onSphere > 0)
            }
        }
    }

    @Test func modelLossAndWeightGradientsMatchTheReference() throws {
        let (model, batch, adversary, reference) = try Self.setup()
        let perturbations = try adversary.perturbations(frozen: true)
        let parts = try LATTowardAway.model(
            unwantedLogits: { try LatentAttack.logits(model, try batch.pairs.harmfulTokens(), start: nil, perturbations) },
            desiredLogits: { try LatentAttack.logits(model, try batch.pairs.refusalTokens(), start: nil, perturbations) },
            batch: batch, coefficients: Self.modelCoefficients.normalized)
        try expectClose(try #require(parts.toward), reference.model_loss.toward, "model toward")
        try expectClose(try #require(parts.away), reference.model_loss.away, "model away")
        try expectClose(parts.total, reference.model_loss.total, "model total")
        try parts.total.backward()
        for name in reference.gradients {
            let error = HardenFixtures.relative(try HardenFixtures.gradient(model, name), try Self.tensor("model_grad." + name))
            print("LAT model gradient \(name): relative error \(error)")
            #expect(error < Self.tolerance, "gradient of \(name): relative error \(error)")
        }
        // The frozen δ receives nothing.
        #expect(adversary.deltas.values.allSatisfy { $0.grad == nil })
    }

    @Test func klPenaltyMatchesTheReference() throws {
        let (model, batch, adversary, reference) = try Self.setup()
        let tokens = try batch.pairs.refusalTokens()
        let current = try LatentAttack.logits(model, tokens, start: nil, try adversary.perturbations(frozen: false))
        let initial = try noGrad { try model.logits(tokens) }
        let (b, t) = (batch.pairs.batchSize, batch.pairs.length)
        let positions = (0..<(b * t)).filter { batch.pairs.refusalReal[$0] && $0 % t >= batch.pairs.promptLengths[$0 / t] }
        let kl = try LATTerms.kl(logits: current, initial: initial, positions: positions, what: "test")
        try expectClose(kl, reference.kl, "KL")
        let grads = try gradients(of: kl, wrt: [0, 2].compactMap { adversary.deltas[$0] })
        for (i, g) in zip([0, 2], grads) {
            let error = HardenFixtures.relative(g, try Self.tensor("kl_grad.\(i)"))
            print("LAT KL dKL/dδ at residual \(i): relative error \(error)")
            #expect(error < Self.tolerance, "dKL/dδ at \(i): relative error \(error)")
        }
    }

    /// Central differences of the adversary loss along random directions in δ agree with the
    /// analytic directional derivative (independent of the torch reference).
    @Test func deltaGradientMatchesFiniteDifferences() throws {
        let (model, batch, adversary, _) = try Self.setup()
        let inputs = try LatentAttack.Inputs(model: model, batch: batch, first: 0)
        let c = Self.adversaryCoefficients
        let deltas = [0, 2].compactMap { adversary.deltas[$0] }
        let grads = try gradients(of: try LatentAttack.loss(model: model, inputs: inputs, adversary: adversary, coefficients: c).total, wrt: deltas)
        var rng = TensorRNG(seed: 7)
        for (k, (delta, g)) in zip(deltas, grads).enumerated() {
            let direction = try Tensor.randn(delta.shape, rng: &rng)
            let analytic = zip(g.toArray(), direction.toArray()).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let h: Float = k == 0 ? 1e-3 : 1e-2
            let base = delta.clone()
            func value(_ sign: Float) throws -> Double {
                try delta.assign(try noGrad { try base + direction * (sign * h) })
                return Double(try noGrad { try LatentAttack.loss(model: model, inputs: inputs, adversary: adversary, coefficients: c).total.item() })
            }
            let numeric = (try value(1) - value(-1)) / (2 * Double(h))
            try delta.assign(base)
            let error = HardenFixtures.relative(numeric, analytic)
            print("LAT finite difference at residual \([0, 2][k]): analytic \(analytic), numeric \(numeric), relative error \(error)")
            #expect(error < 1e-2, "finite difference at residual \([0, 2][k]): analytic \(analytic) numeric \(numeric)")
        }
    }

    @Test func awayLossIsExactNearCertaintyAndThresholded() throws {
        // p(label) ≈ 1 − e⁻²⁰: log(1 − p) must stay finite (≈ −20), not log 0.
        let logits = try Tensor(shape: [1, 2, 3], values: [20, 0, 0, 0, 0, 0])
        let sure = try CompletionTargets(ids: [0, 0], real: [true, true], promptLengths: [1], batchSize: 1, length: 2)
        let away = Double(try LATTerms.away(logits: logits, targets: sure, what: "t").item())
        #expect(abs(away - (20 - Foundation.log(2.0))) < 1e-3, "\(away)")
        // log p < −5 adds 0 but still counts in the mean.
        let unlikely = try Tensor(shape: [1, 2, 3], values: [-10, 10, 10, 0, 0, 0])
        #expect(try LATTerms.away(logits: unlikely, targets: sure, what: "t").item() == 0)
    }

    @Test func badSettingsAreTypedErrors() throws {
        var t = LATTransform(mode: .jailbreak, epsilonFraction: 0)
        #expect(throws: HardenError.self) { try t.validate() }
        t = LATTransform(mode: .jailbreak, epsilonAbsolute: -1)
        #expect(throws: HardenError.self) { try t.validate() }
        t = LATTransform(mode: .jailbreak, layers: ["4"])
        #expect(throws: HardenError.self) { try t.residualIndices(layerCount: 4) }
        #expect(throws: HardenError.self) { try LATTransform(mode: .jailbreak, layers: ["deep"]).residualIndices(layerCount: 4) }
        #expect(try LATTransform(mode: .jailbreak, layers: ["embedding", "3"]).residualIndices(layerCount: 4) == [0, 4])
        #expect(LATTransform.defaultIndices(layerCount: 32) == [0, 9, 17, 25, 31])
        #expect(LATTransform.defaultIndices(layerCount: 4) == [0, 2, 3, 4])
        let empty = RowSet(name: "e", rows: [], record: DataRecord(role: "forget", source: "test:e", sha256: "", rows: 0))
        #expect(throws: HardenError.emptyData(source: "test:e", reason: "no forget rows")) { try LATPairs.unlearn(empty, desired: "x") }
        #expect(throws: HardenError.emptyData(source: "test:e", reason: "no clean rows")) { try LATPairs.backdoor(empty, behaviour: "x") }
    }

    private func expectClose(_ value: Tensor, _ expected: Double, _ what: String) throws {
        let v = Double(try value.item())
        let error = HardenFixtures.relative(v, expected)
        print("LAT \(what): Temper \(v), reference \(expected), relative error \(error)")
        #expect(error < Self.tolerance, "\(what): Temper \(v), reference \(expected), relative error \(error)")
    }
}
