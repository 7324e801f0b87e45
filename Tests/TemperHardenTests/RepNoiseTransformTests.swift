import Foundation
import Testing
import TemperFormats
import TemperIntegrity
import TemperModels
@testable import TemperHarden

@Suite struct RepNoiseTransformTests {
    static func short(_ steps: Int = 3) -> HardenTraining {
        HardenTraining(learningRate: 1e-3, steps: steps, batchSize: 4, retainBatchSize: 4)
    }

    @Test func writesAHuggingFaceFolderWithProvenanceAndSignature() throws {
        let dir = try HardenFixtures.temporaryFolder("repnoise")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("defended")
        let key = try ECPrivateKey.generate()
        var logged: [String] = []
        let transform = RepNoiseTransform(switches: RepNoiseSwitches(noLens: true), training: Self.short())
        let result = try transform.run(modelFolder: HardenFixtures.worldModel, data: try HardenFixtures.worldData(), output: out,
                                       options: HardenRunOptions(temperVersion: "test", signingKey: key, log: { logged.append($0) }))
        #expect(result.summary.steps == 3 && result.signature == out.path + "/model.sig")
        #expect(logged.contains { $0.hasPrefix("step 3/3") && $0.contains("noise_mmd") && $0.contains("retain_ce") })

        let base = try LlamaModel.load(HardenFixtures.worldModel), defended = try LlamaModel.load(out)
        let changed = zip(base.parameters, defended.parameters).filter { $0.tensor.toArray() != $1.tensor.toArray() }
        #expect(changed.count == base.parameters.count)

        let records = try ProvenanceLog.read(folder: out.path)
        let record = try #require(records.last)
        #expect(record.operation == RepNoiseTransform.operation && record.seed == 0 && record.temperVersion == "test")
        #expect(record.outputManifestSHA256 == result.outputManifestSHA256 && record.baseManifestSHA256 != nil)
        struct Recorded: Decodable { var transform: RepNoiseTransform; var data: [DataRecord]; var template: String }
        let config = try JSONDecoder().decode(Recorded.self, from: Data(record.config.serialized(style: .serdeCompact)))
        #expect(config.transform == transform && config.template == "{prompt} {response}")
        #expect(config.data.map(\.role) == ["harmful", "retain"] && config.data[0].rows == 30 && config.data[0].sha256.count == 64)
        #expect(try ProvenanceLog.verifyChain(folder: out.path).ok)
        let report = try ModelVerifier.verify(folder: out.path, key: try key.publicKey())
        #expect(report.ok)

        // OUT exists now: refused without replace, replaced (old folder intact until then) with it.
        #expect(throws: HardenError.self) {
            _ = try transform.run(modelFolder: HardenFixtures.worldModel, data: try HardenFixtures.worldData(), output: out,
                                  options: HardenRunOptions(temperVersion: "test"))
        }
        var again = transform
        again.training.steps = 1
        let replaced = try again.run(modelFolder: HardenFixtures.worldModel, data: try HardenFixtures.worldData(), output: out,
                                     options: HardenRunOptions(temperVersion: "test", replace: true))
        #expect(replaced.summary.steps == 1 && !FileManager.default.fileExists(atPath: out.path + "/model.sig"))
    }

    @Test func explodingRunKeepsTheLastGoodWeights() throws {
        let dir = try HardenFixtures.temporaryFolder("nan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("defended")
        var training = HardenTraining(learningRate: 1e30, steps: 30, batchSize: 4, warmupFraction: 0, maxGradNorm: nil, retainWeight: 0)
        training.seed = 1
        do {
            _ = try RepNoiseTransform(training: training).run(modelFolder: HardenFixtures.worldModel, data: try HardenFixtures.worldData(),
                                                              output: out, options: HardenRunOptions(temperVersion: "test"))
            Issue.record("a learning rate of 1e30 should make the loss non-finite")
        } catch let HardenError.nonFiniteLoss(step, _, lastGood) {
            let saved = try #require(lastGood)
            #expect(step > 0 && saved == out.path + ".last-good")
            let model = try LlamaModel.load(URL(fileURLWithPath: saved))
            #expect(model.parameters.allSatisfy { $0.tensor.toArray().allSatisfy(\.isFinite) })
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func badConfigIsATypedError() throws {
        let dir = try HardenFixtures.temporaryFolder("bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: HardenError.self) {
            _ = try RepNoiseTransform(alpha: -1, training: Self.short()).run(
                modelFolder: HardenFixtures.worldModel, data: try HardenFixtures.worldData(), output: dir.appendingPathComponent("o"),
                options: HardenRunOptions(temperVersion: "test"))
        }
    }
}
