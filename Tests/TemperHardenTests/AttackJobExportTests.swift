import Foundation
import Testing
import TemperModels
import TemperText
import TemperWorld
@testable import TemperHarden

/// `FineTuningAttackJob.exportJob`: the job trains what one run of `FineTuningAttack.run`
/// trains — the same optimizer settings, the rows as the attack tokenizes them and the
/// attack sampler's order.
@Suite struct AttackJobExportTests {
    @Test func jobHoldsTheAttackRunsSettingsRowsAndOrder() throws {
        let dir = try HardenFixtures.temporaryFolder("attack-job")
        defer { try? FileManager.default.removeItem(at: dir) }
        let preset = try WorldPreset(folder: HardenFixtures.world)
        let train = try preset.set(WorldPreset.harmfulSplit, role: "attack")
        let attack = FineTuningAttackJob(learningRate: 3e-4, seed: 1, steps: 5, batchSize: 4, maxLength: WorldPreset.maxLength)
        #expect(attack.training.trainingConfig() == attack.supervised.training)
        let job = dir.appendingPathComponent("job")
        let result = try attack.exportJob(modelFolder: HardenFixtures.worldModel, train: train,
                                          options: JobExportOptions(job: job, engineSource: UnlearnJobExportTests.engine, temperVersion: "test"))
        #expect(result.operation == "attack finetune" && result.steps == 5)
        let spec = try JobSpec.read(job: job)
        #expect(spec.training.learningRate == 3e-4 && spec.training.seed == 1 && spec.training.retainWeight == 0)
        #expect(spec.training.warmupSteps == 1 && spec.training.maxGradNorm == 1 && spec.training.weightDecay == 0)
        #expect(spec.model.frozen.isEmpty && spec.rmu == nil && spec.noise == nil)
        #expect(Set(spec.files.map(\.path)).isSuperset(of: ["config.json", "data/train.safetensors", "data/order.safetensors"]))

        let model = try ModelRegistry.loadCausalLM(HardenFixtures.worldModel)
        let encoding = try TextEncoding(tokenizer: try Tokenizer.load(HardenFixtures.worldModel), model: model, format: .plain(nil),
                                        maxLength: WorldPreset.maxLength)
        let examples = try encoding.examples(train)
        let sampler = try BatchSampler(count: examples.count, batchSize: 4, seed: 1)
        let order = try UnlearnJobExportTests.int32s(job.appendingPathComponent("data/order.safetensors"), "train")
        #expect(order.shape == [5, 4])
        for s in 0..<5 {
            #expect(Array(order.values[(s * 4)..<((s + 1) * 4)]) == sampler.batch(atStep: s).indices.map { Int32($0) }, "step \(s)")
        }
        let labels = try UnlearnJobExportTests.int32s(job.appendingPathComponent("data/train.safetensors"), "labels")
        let width = labels.shape[1]
        #expect(labels.shape[0] == examples.count)
        for (row, e) in examples.enumerated() {
            #expect(Array(labels.values[(row * width)..<(row * width + e.labels.count)]) == e.labels, "row \(row)")
        }
    }

    @Test func badSettingsAreRefusedBeforeWriting() throws {
        let dir = try HardenFixtures.temporaryFolder("attack-job-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let train = try WorldPreset(folder: HardenFixtures.world).set(WorldPreset.harmfulSplit, role: "attack")
        let job = dir.appendingPathComponent("job")
        #expect(throws: HardenError.self) {
            try FineTuningAttackJob(learningRate: 0, seed: 0, steps: 3).exportJob(
                modelFolder: HardenFixtures.worldModel, train: train,
                options: JobExportOptions(job: job, engineSource: UnlearnJobExportTests.engine, temperVersion: "test"))
        }
        #expect(!FileManager.default.fileExists(atPath: job.path))
    }
}
