import Foundation
import TemperFormats

/// Where a model given on the command line really lives. A GGUF file (told by its magic
/// bytes, not its name) is dequantized once per process into a Hugging Face folder in the
/// temporary directory (GGUFHuggingFaceExport, f32), removed when the process exits;
/// everything else is used as given. Loading through this makes every command that takes
/// a model folder accept a .gguf.
public enum ModelLocation {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var folders: [String: URL] = [:]

    /// `url` itself, or the folder materialized from the GGUF file at `url`; with
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
                if weights {
                    try GGUFHuggingFaceExport.write(file, to: folder)
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

    static func removeAll() {
        let all = lock.withLock { Array(folders.values) }
        for folder in all { try? FileManager.default.removeItem(at: folder) }  // best effort at exit
    }
}
