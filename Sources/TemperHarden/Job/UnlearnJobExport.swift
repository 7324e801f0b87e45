import Foundation
import TemperModels
import TemperText

extension UnlearnTransform {
    /// Writes a job for the torch engine instead of training here (Formats/job.md): the forget
    /// rows as Temper tokenizes them in data/forget.safetensors (input_ids, labels −100 off the
    /// response, length), the retain rows in data/retain.safetensors when the method draws
    /// them, and each step's forget and retain indices in data/order.safetensors (`forget`,
    /// `retain`), from the same `ForgetRetainBatches` samplers `temper unlearn` steps through.
    /// RMU: l, c and u are resolved here exactly as `temper unlearn rmu` resolves them
    /// (`RMUSetup`, on the base as loaded); config.json records the resolved transform,
    /// data/control.safetensors holds u and c·u, job.json `rmu` the layer and trained tensors.
    public func exportJob(modelFolder: URL, data: ForgetRetainData, options: JobExportOptions) throws -> JobExportResult {
        try validate()
        if needsRetain && data.retain == nil {
            throw HardenError.invalidSetting(name: "retain", value: "none", rule: "\(method.rawValue) needs retain rows (--retain FILE or --world W)")
        }
        let operation = Self.operation + " " + method.rawValue
        let (model, encoding) = try JobExporter.prepare(operation: operation, settings: training, modelFolder: modelFolder, options: options)
        let batches = try ForgetRetainBatches(encoding: encoding, data: data, settings: training, needsRetain: needsRetain)
        let rmu = method == .rmu ? try RMUSetup(self, start: model, batches: batches, modelFolder: modelFolder) : nil
        let recorded = RecordedConfig(transform: rmu?.recorded(self) ?? self, data: data.records, template: encoding.formatDescription)
        let shape = JobExporter.BatchShape(padId: Int(batches.padId), batchSize: batches.forgetSampler.batchSize,
                                           retainBatchSize: batches.retain?.sampler.batchSize ?? 0)
        let controlPath = "data/control.safetensors"
        let rmuSpec = rmu.map { r in
            JobSpec.RMU(layer: r.layer, steeringCoefficient: r.coefficient, steeringSeed: r.seed,
                        trained: model.parameters.filter(r.isTrainable).map(\.name), control: controlPath)
        }
        return try JobExporter.write(operation: operation, config: recorded, settings: training, model: model, encoding: encoding, shape: shape,
                                     summary: "\(batches.forget.count) forget rows", noise: false, modelFolder: modelFolder, options: options,
                                     isTrainable: rmu?.isTrainable, rmu: rmuSpec) { root in
            try JobData.writeRetain(batches.forget, padId: Int(batches.padId), to: root.appendingPathComponent("data/forget.safetensors"))
            var samplers: [(name: String, sampler: BatchSampler)] = [("forget", batches.forgetSampler)]
            if let retain = batches.retain {
                try JobData.writeRetain(retain.examples, padId: Int(batches.padId), to: root.appendingPathComponent("data/retain.safetensors"))
                samplers.append(("retain", retain.sampler))
            }
            try JobData.writeOrder(samplers, steps: training.steps, to: root.appendingPathComponent("data/order.safetensors"))
            if let rmu {
                try JobData.write(root.appendingPathComponent(controlPath), [
                    ("u", .f32, rmu.direction.shape, JobData.bytes(rmu.direction.toArray())),
                    ("control", .f32, rmu.control.shape, JobData.bytes(rmu.control.toArray())),
                ])
            }
        }
    }
}
