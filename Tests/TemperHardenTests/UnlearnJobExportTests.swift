import Foundation
import Testing
import TemperFormats
import TemperModels
import TemperText
@testable import TemperHarden

/// `UnlearnTransform.exportJob`: the job holds the forget/retain rows as Temper tokenizes them
/// and each step's indices from the samplers `temper unlearn` steps through; GA writes no
/// retain rows; RMU carries Temper's l, c and c·u; methods the engine lacks are refused.
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

    @Test func gaWritesNoRetainAndAMethodTheEngineLacksIsRefused() throws {
        let dir = try HardenFixtures.temporaryFolder("unlearn-job-ga")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try UnlearnTransformTests.worldData()
        let ga = UnlearnTransform(method: .ga, training: HardenTraining(learningRate: 5e-5, steps: 2, retainWeight: 0))
        let job = dir.appendingPathComponent("ga")
        _ = try ga.exportJob(modelFolder: HardenFixtures.worldModel, data: data,
                             options: JobExportOptions(job: job, engineSource: Self.engine, temperVersion: "test"))
        let spec = try JobSpec.read(job: job)
        #expect(spec.training.retainWeight == 0 && spec.training.retainBatchSize == 0 && spec.rmu == nil)
        #expect(!spec.files.map(\.path).contains("data/retain.safetensors"))
        // An engine whose operations.txt lacks the method: refused before anything is written.
        let engine = dir.appendingPathComponent("engine")
        try FileManager.default.createDirectory(at: engine, withIntermediateDirectories: true)
        try Data("unlearn ga\n".utf8).write(to: engine.appendingPathComponent("operations.txt"))
        #expect(throws: JobError.self) {
            try UnlearnTransform(method: .rmu).exportJob(modelFolder: HardenFixtures.worldModel, data: data,
                                                         options: JobExportOptions(job: dir.appendingPathComponent("rmu"), engineSource: engine, temperVersion: "test"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("rmu").path))
    }

    /// The F32 values of one tensor of a safetensors file.
    static func float32s(_ url: URL, _ name: String) throws -> (shape: [Int], values: [Float]) {
        let file = try SafetensorsFile.open(url)
        let record = try #require(file.record(named: name))
        #expect(record.dtype == .f32)
        let data = try Data(contentsOf: url)
        let bytes = data[Int(record.fileRange.lowerBound)..<Int(record.fileRange.upperBound)]
        let values = stride(from: bytes.startIndex, to: bytes.endIndex, by: 4).map { i in
            Float(bitPattern: UInt32(littleEndian: bytes[i..<(i + 4)].enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * $1.offset) }))
        }
        return (record.shape, values)
    }

    /// RMU: the job records the layer, c and the norm as `temper unlearn rmu` resolves them,
    /// trains exactly the down-projections of blocks l−2…l, and carries Temper's c·u and u bit for bit.
    @Test func rmuJobCarriesTemperLayerCoefficientAndControl() throws {
        let dir = try HardenFixtures.temporaryFolder("unlearn-job-rmu")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try UnlearnTransformTests.worldData()
        let training = HardenTraining(learningRate: 1e-2, steps: 2, seed: 7, retainWeight: 10)
        let transform = UnlearnTransform(method: .rmu, training: training)
        let job = dir.appendingPathComponent("rmu")
        _ = try transform.exportJob(modelFolder: HardenFixtures.worldModel, data: data,
                                    options: JobExportOptions(job: job, engineSource: Self.engine, temperVersion: "test"))
        let spec = try JobSpec.read(job: job)
        let model = try ModelRegistry.loadCausalLM(HardenFixtures.worldModel)
        let encoding = try TextEncoding(tokenizer: try Tokenizer.load(HardenFixtures.worldModel), model: model, format: .plain(nil),
                                        maxLength: training.maxLength)
        let batches = try ForgetRetainBatches(encoding: encoding, data: data, settings: training, needsRetain: true)
        let setup = try RMUSetup(transform, start: model, batches: batches, modelFolder: HardenFixtures.worldModel)
        let rmu = try #require(spec.rmu)
        #expect(rmu.layer == UnlearnTransform.defaultLayer(layerCount: model.layerCount) && rmu.layer == setup.layer)
        #expect(rmu.steeringCoefficient == setup.coefficient && rmu.steeringSeed == 7)
        let expectedTrained = (max(0, rmu.layer - 2)...rmu.layer).map { "model.layers.\($0).mlp.down_proj.weight" }
        #expect(rmu.trained == expectedTrained)
        #expect(Set(spec.model.frozen).isDisjoint(with: rmu.trained) && spec.model.frozen.count == model.parameters.count - rmu.trained.count)
        let control = try Self.float32s(job.appendingPathComponent(rmu.control), "control")
        let u = try Self.float32s(job.appendingPathComponent(rmu.control), "u")
        #expect(control.shape == [model.hiddenSize] && control.values == setup.control.toArray() && u.values == setup.direction.toArray())
        let norm = u.values.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(norm - 1) < 1e-6 && u.values.allSatisfy { $0 >= 0 })
        // config.json holds the resolved transform, as provenance of temper unlearn rmu would.
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: job.appendingPathComponent("config.json"))) as? [String: Any]
        let recorded = try #require(config?["transform"] as? [String: Any])
        // (Foundation's JSON reader may round the last digit; the engine reads c·u from the tensor, not c.)
        func near(_ v: Any?, _ x: Double) -> Bool { (v as? Double).map { abs($0 - x) <= 1e-12 * abs(x) } ?? false }
        #expect(recorded["layer"] as? Int == setup.layer && near(recorded["steeringCoefficient"], setup.coefficient))
        #expect(near(recorded["measuredResidualNorm"], setup.residualNorm) && recorded["steeringSeed"] as? Int == 7)
    }
}
