import Foundation
import TemperFormats
import TemperTensor

/// Writes a model back as a Hugging Face folder: the tensors it was loaded from, with the
/// same names and dtypes (f32 values rounded to-nearest-even into F16/BF16), one file or
/// shards as the source had, the source's safetensors metadata, and the config and
/// tokenizer files copied unchanged. The folder is written atomically (`AtomicFolder`).
/// Loading a transformers folder and saving it unchanged reproduces its weight files byte
/// for byte.
public enum ModelSaver {
    /// Files copied from the source folder when present.
    public static let companionFiles = [
        "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
        "special_tokens_map.json", "added_tokens.json", "vocab.txt", "vocab.json", "merges.txt",
        "tokenizer.model", "chat_template.jinja", "chat_template.json", "modules.json",
        "sentence_bert_config.json", "config_sentence_transformers.json",
    ]

    public static func save(_ parameters: [ModelParameter], source: ModelSource, to folder: URL,
                            extraFiles: [(name: String, data: Data)] = []) throws {
        var byName: [String: ModelParameter] = [:]
        for p in parameters { byName[p.name] = p }
        let specs = try source.tensors.map { entry -> TensorSpec in
            guard let p = byName[entry.name] else {
                throw ModelError.missingTensor(path: folder.path, tensor: entry.name, expectedShape: [])
            }
            return TensorSpec(name: entry.name, dtype: entry.dtype, shape: p.tensor.shape)
        }
        func bytes(_ spec: TensorSpec) throws -> [UInt8] {
            guard let p = byName[spec.name] else {
                throw ModelError.missingTensor(path: folder.path, tensor: spec.name, expectedShape: spec.shape)
            }
            return try p.tensor.withUnsafeBufferPointer { try HalfPrecision.fromFloat32($0, to: spec.dtype, tensor: spec.name) }
        }
        let metadata = source.metadata.isEmpty ? nil : source.metadata
        try AtomicFolder.write(to: folder) { staging in
            if let limit = source.maxShardBytes, source.format == .shardedSafetensors {
                let writer = try ShardedCheckpointWriter(folder: staging, tensors: specs, maxShardBytes: limit,
                                                         shardMetadata: metadata, order: .reference)
                do {
                    for spec in writer.expectedOrder { try writer.append(spec.name, try bytes(spec)) }
                    try writer.finish()
                } catch {
                    writer.abandon()
                    throw error
                }
            } else {
                try SafetensorsWriter.write(to: staging.appendingPathComponent(source.fileName), tensors: specs,
                                            metadata: metadata, order: .reference, bytes: bytes)
            }
            for name in companionFiles where !extraFiles.contains(where: { $0.name == name }) {
                let from = source.folder.appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: from.path) else { continue }
                let data = try RegularFile.read(from)
                try AtomicFile.write(data, to: staging.appendingPathComponent(name))
            }
            for file in extraFiles {
                guard !file.name.contains("/"), !file.name.hasPrefix(".") else {
                    throw ModelError.io(path: file.name, reason: "extra file names must be plain names inside the folder")
                }
                try AtomicFile.write(file.data, to: staging.appendingPathComponent(file.name))
            }
        }
    }
}

extension CausalLanguageModel {
    /// Saves the current weights as a Hugging Face folder shaped like the source (see `ModelSaver`).
    public func save(to folder: URL, extraFiles: [(name: String, data: Data)] = []) throws {
        try ModelSaver.save(parameters, source: source, to: folder, extraFiles: extraFiles)
    }
}

extension BERTModel {
    public func save(to folder: URL) throws {
        try ModelSaver.save(parameters, source: source, to: folder)
    }
}
