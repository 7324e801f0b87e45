import Testing
import TemperModels
import TemperTensor
@testable import TemperHarden

/// Loss fidelity of the adversarial loss against the torch reference (float64).
@Suite struct AdversarialLossTests {
    @Test func matchesTheReference() throws {
        let (model, _, batch, reference) = try HardenFixtures.modelAndBatch()
        let parts = try AdversarialLoss(adversarialAlpha: Float(reference.adversarial_alpha))(model: model, batch: batch)
        let r = reference.adversarial
        for (value, expected, what) in [(parts.refusalCE, r.refusal_ce, "refusal CE"), (parts.harmfulCE, r.harmful_ce, "harmful CE"),
                                        (parts.total, r.total, "total")] {
            let v = Double(try value.item())
            #expect(HardenFixtures.relative(v, expected) < 1e-4, "\(what): Temper \(v), reference \(expected)")
        }
        try parts.total.backward()
        for name in reference.adversarial_gradients {
            let error = HardenFixtures.relative(try HardenFixtures.gradient(model, name), try HardenFixtures.tensor("adversarial_grad." + name))
            print("adversarial gradient \(name): relative error \(error)")
            #expect(error < 1e-4, "gradient of \(name): relative error \(error)")
        }
    }

    @Test func coefficientScalesTheAscent() throws {
        let (model, _, batch, _) = try HardenFixtures.modelAndBatch()
        let (a, b) = try noGrad { (try AdversarialLoss(adversarialAlpha: 0)(model: model, batch: batch),
                                   try AdversarialLoss(adversarialAlpha: 2)(model: model, batch: batch)) }
        #expect(try a.total.item() == a.refusalCE.item())
        #expect(abs(try b.total.item() - (b.refusalCE.item() - 2 * b.harmfulCE.item())) < 1e-5)
        let full = try noGrad { try AdversarialLoss(noMask: true)(model: model, batch: batch) }
        #expect(try full.harmfulCE.item() != a.harmfulCE.item())
    }
}
