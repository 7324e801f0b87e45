import Foundation
import TemperModels
import TemperText

extension LATTransform {
    /// Writes a job for the torch engine (Formats/job.md): the pairs (with their prompt
    /// lengths, where the completions LAT scores start) and harmless rows as Temper tokenizes
    /// them, each step's batch indices (the engine uses batch ⌊step / modelStepsPerAttack⌋,
    /// as `run` does), and the adversary as Temper resolves it: the residual points and their
    /// absolute ε — measured on the base over the first batch exactly as `run` measures them
    /// (`radii`) — in job.json `lat` and in config.json, which is the `Record` `run` puts into
    /// provenance. δ starts at zero in Temper (`LatentAdversary`), so no noise is written.
    public func exportJob(modelFolder: URL, data: HardenData, options: JobExportOptions) throws -> JobExportResult {
        try validate()
        let settings = runSettings
        let (model, encoding) = try JobExporter.prepare(operation: Self.operation, settings: settings, modelFolder: modelFolder, options: options)
        let batches = try HardenBatches(encoding: encoding, data: data, settings: settings)
        let indices = try residualIndices(layerCount: model.layerCount)
        let radii = try self.radii(model, batch: try LATBatch(try batches.pairedBatch(step: 0)), indices: indices)
        let record = Record(self)
        record.residualIndices = indices
        record.epsilons = Dictionary(uniqueKeysWithValues: radii.map { ("\($0.key)", Double($0.value)) })
        let epsilons = try indices.map { i -> Double in
            guard let e = radii[i] else { throw HardenError.invalidConfig("no ε for residual point \(i)") }
            return Double(e)
        }
        let recorded = RecordedConfig(transform: record, data: data.records, template: encoding.formatDescription)
        let shape = JobExporter.BatchShape(padId: batches.padId, batchSize: batches.sampler.batchSize,
                                           retainBatchSize: batches.retain?.sampler.batchSize ?? 0)
        let lat = JobSpec.LAT(residualIndices: indices, epsilons: epsilons, modelStepsPerAttack: modelStepsPerAttack)
        return try JobExporter.write(operation: Self.operation, config: recorded, settings: settings, model: model, encoding: encoding, shape: shape,
                                     summary: "\(batches.paired.count) \(mode.rawValue) pairs", noise: false, modelFolder: modelFolder,
                                     options: options, lat: lat) { root in
            try JobData.writePaired(batches.paired, padId: batches.padId, to: root.appendingPathComponent("data/paired.safetensors"))
            if let retain = batches.retain {
                try JobData.writeRetain(retain.examples, padId: batches.padId, to: root.appendingPathComponent("data/retain.safetensors"))
            }
            try JobData.writeOrder(batches, steps: settings.steps, to: root.appendingPathComponent("data/order.safetensors"))
        }
    }
}
