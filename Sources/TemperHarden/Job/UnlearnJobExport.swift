import Foundation
import TemperModels
import TemperText

extension UnlearnTransform {
    /// Writes a job for the torch engine instead of training here (Formats/job.md): the forget
    /// rows as Temper tokenizes them in data/forget.safetensors (input_ids, labels −100 off the
    /// response, length), the retain rows in data/retain.safetensors when the method draws
    /// them, and each step's forget and retain indices in data/order.safetensors (`forget`,
    /// `retain`), from the same `ForgetRetainBatches` samplers `temper unlearn` steps through.
    /// RMU is refused until the engine has it (its steering vector would come from Temper).
    public func exportJob(modelFolder: URL, data: ForgetRetainData, options: JobExportOptions) throws -> JobExportResult {
        try validate()
        if needsRetain && data.retain == nil {
            throw HardenError.invalidSetting(name: "retain", value: "none", rule: "\(method.rawValue) needs retain rows (--retain FILE or --world W)")
        }
        let operation = Self.operation + " " + method.rawValue
        let (model, encoding) = try JobExporter.prepare(operation: operation, settings: training, modelFolder: modelFolder, options: options)
        let batches = try ForgetRetainBatches(encoding: encoding, data: data, settings: training, needsRetain: needsRetain)
        let recorded = RecordedConfig(transform: self, data: data.records, template: encoding.formatDescription)
        let shape = JobExporter.BatchShape(padId: Int(batches.padId), batchSize: batches.forgetSampler.batchSize,
                                           retainBatchSize: batches.retain?.sampler.batchSize ?? 0)
        return try JobExporter.write(operation: operation, config: recorded, settings: training, model: model, encoding: encoding, shape: shape,
                                     summary: "\(batches.forget.count) forget rows", noise: false, modelFolder: modelFolder, options: options) { root in
            try JobData.writeRetain(batches.forget, padId: Int(batches.padId), to: root.appendingPathComponent("data/forget.safetensors"))
            var samplers: [(name: String, sampler: BatchSampler)] = [("forget", batches.forgetSampler)]
            if let retain = batches.retain {
                try JobData.writeRetain(retain.examples, padId: Int(batches.padId), to: root.appendingPathComponent("data/retain.safetensors"))
                samplers.append(("retain", retain.sampler))
            }
            try JobData.writeOrder(samplers, steps: training.steps, to: root.appendingPathComponent("data/order.safetensors"))
        }
    }
}
