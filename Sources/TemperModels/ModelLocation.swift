import Foundation
import TemperFormats

/// Where a model given on the command line really lives. For a GGUF file (told by its magic
/// bytes, not its name) the Hugging Face companion files — config.json,
/// generation_config.json, tokenizer.json, tokenizer_config.json — are written once per
/// process into a folder in the temporary directory, removed when the process exits; the
/// weights are read from the GGUF itself (`GGUFWeights`). Everything else is used as given.
/// Loading through this makes every command that takes a model folder accept a .gguf.
public enum ModelLocation {
    private static let lock = NSLock()
    /// Companion folders by GGUF path (+ `#tokenizer` for tokenizer-only ones).
    nonisolated(unsafe) private static var folders: [String: URL] = [:]
    /// The GGUF file behind each companion folder.
    nonisolated(unsafe) private static var origins: [String: URL] = [:]

    /// `url` itself, or the companion folder made from the GGUF file at `url`; with
    /// `weights: false` only the tokenizer files (for commands that only tokenize).
    public static func resolve(_ url: URL, weights: Bool = true) throws -> URL {
        guard try GGUFFile.hasMagic(url) else { return url }
        let key = url.standardizedFileURL.path + (weights ? "" : "#tokenizer")
        return try lock.withLock {
            if let done = folders[key] { return done }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("temper-gguf-\(UUID().uuidString)")
            if folders.isEmpty { atexit { ModelLocation.removeAll() } }
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
                folders[key] = folder
                let file = try GGUFFile(url: url)
                if weights, !file.tensors.isEmpty {
                    let model = try GGUFHuggingFaceModel(try GGUFSplit.shards(of: file))
                    for (name, bytes) in try GGUFHuggingFaceExport.companionFiles(file, model: model) {
                        try AtomicFile.write(Data(bytes), to: folder.appendingPathComponent(name))
                    }
                    origins[folder.standardizedFileURL.path] = url
                } else {
                    try GGUFHuggingFaceExport.writeTokenizer(file, to: folder)
                }
            } catch {
                folders[key] = nil
                try? FileManager.default.removeItem(at: folder)  // best-effort cleanup of our own temp folder
                throw error
            }
            return folder
        }
    }

    /// The model folder (config.json, tokenizer) and the weights of `url`: a checkpoint as
    /// `Checkpoint.open` takes it, a GGUF file, or a companion folder made from one (what a
    /// GGUF-loaded model's `source.folder` names).
    static func weights(_ url: URL) throws -> (folder: URL, source: any WeightSource) {
        let origin = lock.withLock { origins[url.standardizedFileURL.path] }
        if let gguf = try origin ?? (GGUFFile.hasMagic(url) ? url : nil) {
            let folder = try resolve(gguf)
            return (folder, try GGUFWeights(url: gguf, folder: folder))
        }
        let checkpoint = try Checkpoint.open(url)
        return (checkpoint.root, CheckpointWeights(checkpoint))
    }

    static func removeAll() {
        let all = lock.withLock { Array(folders.values) }
        for folder in all { try? FileManager.default.removeItem(at: folder) }  // best effort at exit
    }
}
