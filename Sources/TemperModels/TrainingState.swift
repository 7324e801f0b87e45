import Foundation
import TemperFormats
import TemperTensor

/// A resumable fine-tuning state: a folder (written atomically as a whole) holding
///
///     trainer.json        {"format": "temper-training-state", "version": 1, "step": N,
///                          "config": TrainingConfig, "trainable": [names]}
///     weights.safetensors every model parameter in F32 (Hugging Face names), so a resumed
///                         run continues from exactly the same values even for bf16 models
///     optimizer.bin       the AdamW state (TemperTensor's `OptimizerState` encoding)
///
/// Batch order and per-step random numbers are functions of (seed, step), so the step
/// number is the whole RNG state.
enum TrainingState {
    static let format = "temper-training-state"

    struct Header: Codable {
        var format: String
        var version: Int
        var step: Int
        var config: TrainingConfig
        var trainable: [String]
    }

    static func exists(at folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("trainer.json").path)
    }

    static func save(to folder: URL, step: Int, config: TrainingConfig, parameters: [ModelParameter],
                     trainable: [String], optimizer: OptimizerState) throws {
        let header = Header(format: format, version: 1, step: step, config: config, trainable: trainable)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(header)
        try AtomicFolder.write(to: folder) { staging in
            try AtomicFile.write(json, to: staging.appendingPathComponent("trainer.json"))
            try AtomicFile.write(optimizer.serialized(), to: staging.appendingPathComponent("optimizer.bin"))
            let specs = parameters.map { TensorSpec(name: $0.name, dtype: .f32, shape: $0.tensor.shape) }
            var byName: [String: Tensor] = [:]
            for p in parameters { byName[p.name] = p.tensor }
            try SafetensorsWriter.write(to: staging.appendingPathComponent("weights.safetensors"), tensors: specs) { spec in
                guard let tensor = byName[spec.name] else { return [] }
                return try tensor.withUnsafeBufferPointer { try HalfPrecision.fromFloat32($0, to: .f32, tensor: spec.name) }
            }
        }
    }

    /// Reads a state and puts its weights into `parameters` (names and shapes must match).
    static func load(from folder: URL, into parameters: [ModelParameter]) throws -> (header: Header, optimizer: OptimizerState) {
        let headerURL = folder.appendingPathComponent("trainer.json")
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: try RegularFile.read(headerURL, limit: 1 << 26))
        } catch {
            throw ModelError.invalidTrainingState(path: headerURL.path, reason: "cannot read: \(error.localizedDescription)")
        }
        guard header.format == format, header.version == 1 else {
            throw ModelError.invalidTrainingState(path: headerURL.path, reason: "not a version-1 \(format) file")
        }
        let optimizerURL = folder.appendingPathComponent("optimizer.bin")
        let optimizer: OptimizerState
        do { optimizer = try OptimizerState(serialized: try RegularFile.read(optimizerURL)) } catch {
            throw ModelError.invalidTrainingState(path: optimizerURL.path, reason: error.localizedDescription)
        }
        let weightsURL = folder.appendingPathComponent("weights.safetensors")
        let weights = try SafetensorsFile(url: weightsURL)
        guard weights.tensors.count == parameters.count else {
            throw ModelError.invalidTrainingState(path: weightsURL.path, reason: "\(weights.tensors.count) tensors for a model with \(parameters.count) parameters")
        }
        // Decode everything before assigning anything, so a bad file changes no weight.
        var decoded: [(Tensor, [Float])] = []
        for p in parameters {
            guard let record = weights.record(named: p.name) else {
                throw ModelError.invalidTrainingState(path: weightsURL.path, reason: "missing tensor '\(p.name)'")
            }
            guard record.shape == p.tensor.shape, record.dtype == .f32 else {
                throw ModelError.invalidTrainingState(path: weightsURL.path, reason: "tensor '\(p.name)' is \(record.dtype.rawValue) \(record.shape), the model has F32 \(p.tensor.shape)")
            }
            decoded.append((p.tensor, try HalfPrecision.toFloat32(try weights.bytes(of: record), dtype: .f32, tensor: p.name)))
        }
        for (tensor, values) in decoded {
            tensor.withUnsafeMutableBufferPointer { out in _ = out.update(fromContentsOf: values) }
        }
        return (header, optimizer)
    }
}
