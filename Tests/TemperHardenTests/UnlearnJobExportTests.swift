import Foundation
import Testing
import TemperFormats
import TemperModels
import TemperText
@testable import TemperHarden

/// `UnlearnTransform.exportJob`: the job holds the forget/retain rows as Temper tokenizes them
/// and each step's indices from the samplers `temper unlearn` steps through; GA writes no
/// retain rows; methods the engine lacks are refused.
@Suite struct UnlearnJobExportTests {
    static let engine = HardenFixtures.root.appendingPathComponent("Engines/torch")

    /// The I32 values of one tensor of a safetensors file.
    static func int32s(_ url: URL, _ name: String) throws -> (shape: [Int], values: [Int32]) {
        let file = try SafetensorsFile.open(url)
        let record = try #require(file.record(named: name))
        #expect(record.dtype == .i32)
        let data = try Data(contentsOf: url)
        let bytes = data[Int(record.fileRange.lowerBound)..<Int(record.fileRange.upperBound)]
        let values = stride(from: bytes.startIndex, to: bytes.endIndex, by: 4).map { i in
            Int32(littleEndian: bytes[i..<(i + 4)].enumerated().reduce(0) { $0 | Int32($1.element) << (8 * $1.offset) })
        }
        return (record.shape, values)
    }

    @Test func graddiffJobHoldsTemperBatches() throws {
        let dir = try HardenFixtures.temporaryFolder("unlearn-job")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try UnlearnTransformTests.worldData()
        let training = HardenTraining(learningRate: 1e-4, steps: 3, retainWeight: 1)
        let transform = UnlearnTransform(method: .graddiff, training: training)
        let job = dir.appendingPathComponent("job")
        let result = try transform.exportJob(modelFolder: HardenFixtures.worldModel, data: data,
                                             options: JobExportOptions(job: job, engineSource: Self.engine, temperVersion: "test"))
        #expect(result.operation == "unlearn graddiff" && result.steps == 3)
        let spec = try JobSpec.read(job: job)
        #expect(spec.operation == "unlearn graddiff" && spec.noise == nil && spec.training.retainWeight == 1)
        let paths = Set(spec.files.map(\.path))
        #expect(paths.isSuperset(of: ["config.json", "data/forget.safetensors", "data/retain.safetensors", "data/order.safetensors"]))
        #expect(!paths.contains("data/paired.safetensors"))

        let model = try ModelRegistry.loadCausalLM(HardenFixtures.worldModel)
        let encoding = try TextEncoding(tokenizer: try Tokenizer.load(HardenFixtures.worldModel), model: model, format: .plain(nil),
                                        maxLength: training.maxLength)
        let batches = try ForgetRetainBatches(encoding: encoding, data: data, settings: training, needsRetain: true)
        let order = job.appendingPathComponent("data/order.safetensors")
        let forgetOrder = try Self.int32s(order, "forget")
        #expect(forgetOrder.shape == [3, batches.forgetSampler.batchSize] && spec.training.batchSize == batches.forgetSampler.batchSize)
        for s in 0..<3 {
            let expected = batches.forgetSampler.batch(atStep: s).indices.map { Int32($0) }
            let row = Array(forgetOrder.values[(s * forgetOrder.shape[1])..<((s + 1) * forgetOrder.shape[1])])
            #expect(Array(row.prefix(expected.count)) == expected, "step \(s)")
        }
        let retain = try #require(batches.retain)
        #expect(try Self.int32s(order, "retain").shape == [3, retain.sampler.batchSize])

        let forget = job.appendingPathComponent("data/forget.safetensors")
        let ids = try Self.int32s(forget, "input_ids"), labels = try Self.int32s(forget, "labels"), lengths = try Self.int32s(forget, "length")
        #expect(ids.shape[0] == batches.forget.count && lengths.values == batches.forget.map { Int32($0.inputIds.count) })
        let width = ids.shape[1]
        for (row, example) in batches.forget.enumerated() {
            #expect(Array(ids.values[(row * width)..<(row * width + example.inputIds.count)]) == example.inputIds, "row \(row)")
            #expect(Array(labels.values[(row * width)..<(row * width + example.labels.count)]) == example.labels, "row \(row)")
        }
    }

    @Test func gaWritesNoRetainAndRMUIsRefused() throws {
        let dir = try HardenFixtures.temporaryFolder("unlearn-job-ga")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try UnlearnTransformTests.worldData()
        let ga = UnlearnTransform(method: .ga, training: HardenTraining(learningRate: 5e-5, steps: 2, retainWeight: 0))
        let job = dir.appendingPathComponent("ga")
        _ = try ga.exportJob(modelFolder: HardenFixtures.worldModel, data: data,
                             options: JobExportOptions(job: job, engineSource: Self.engine, temperVersion: "test"))
        let spec = try JobSpec.read(job: job)
        #expect(spec.training.retainWeight == 0 && spec.training.retainBatchSize == 0)
        #expect(!spec.files.map(\.path).contains("data/retain.safetensors"))
        #expect(throws: JobError.self) {
            try UnlearnTransform(method: .rmu).exportJob(modelFolder: HardenFixtures.worldModel, data: data,
                                                         options: JobExportOptions(job: dir.appendingPathComponent("rmu"), engineSource: Self.engine, temperVersion: "test"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("rmu").path))
    }
}
