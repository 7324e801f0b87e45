import Foundation
import Testing
import TemperModels
import TemperText
@testable import TemperHarden

/// `LATTransform.exportJob`: the job records the residual points and the absolute ε `run`
/// would measure on the first batch, the pairs carry their prompt lengths, and config.json is
/// the record `run` puts into provenance.
@Suite struct LATJobExportTests {
    @Test func jobRecordsTheResolvedAdversary() throws {
        let dir = try HardenFixtures.temporaryFolder("lat-job")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try HardenFixtures.worldData()
        let training = HardenTraining(learningRate: 1e-4, steps: 4)
        let transform = LATTransform(mode: .jailbreak, modelStepsPerAttack: 2, training: training)
        let job = dir.appendingPathComponent("job")
        _ = try transform.exportJob(modelFolder: HardenFixtures.worldModel, data: data,
                                    options: JobExportOptions(job: job, engineSource: UnlearnJobExportTests.engine, temperVersion: "test"))
        let spec = try JobSpec.read(job: job)
        let lat = try #require(spec.lat)
        let model = try ModelRegistry.loadCausalLM(HardenFixtures.worldModel)
        let indices = try transform.residualIndices(layerCount: model.layerCount)
        let encoding = try HardenFixtures.encoding(model, try Tokenizer.load(HardenFixtures.worldModel))
        let batches = try HardenBatches(encoding: encoding, data: data, settings: transform.runSettings)
        let radii = try transform.radii(model, batch: try LATBatch(try batches.pairedBatch(step: 0)), indices: indices)
        #expect(lat.residualIndices == indices && lat.modelStepsPerAttack == 2)
        #expect(lat.epsilons == indices.map { Double(radii[$0] ?? 0) } && lat.epsilons.allSatisfy { $0 > 0 })
        #expect(spec.training.retainWeight == transform.runSettings.retainWeight && spec.noise == nil)
        let prompt = try UnlearnJobExportTests.int32s(job.appendingPathComponent("data/paired.safetensors"), "prompt_length")
        #expect(prompt.values == batches.paired.map { Int32($0.promptLength) })
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: job.appendingPathComponent("config.json"))) as? [String: Any]
        let record = try #require(config?["transform"] as? [String: Any])
        #expect(record["residualIndices"] as? [Int] == indices)
        #expect((record["epsilons"] as? [String: Double])?.count == indices.count && record["transform"] is [String: Any])
    }

    @Test func withoutBenignTermsNoRetainRowsAreWritten() throws {
        let dir = try HardenFixtures.temporaryFolder("lat-job-nobenign")
        defer { try? FileManager.default.removeItem(at: dir) }
        let transform = LATTransform(mode: .jailbreak, modelCoefficients: LATCoefficients(toward: 1, away: 1),
                                     training: HardenTraining(learningRate: 1e-4, steps: 2))
        let job = dir.appendingPathComponent("job")
        _ = try transform.exportJob(modelFolder: HardenFixtures.worldModel, data: try HardenFixtures.worldData(),
                                    options: JobExportOptions(job: job, engineSource: UnlearnJobExportTests.engine, temperVersion: "test"))
        let spec = try JobSpec.read(job: job)
        #expect(spec.training.retainWeight == 0 && !spec.files.map(\.path).contains("data/retain.safetensors"))
    }
}
