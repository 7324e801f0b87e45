import Foundation
import TemperFormats

/// The engine's files inside a job: the Python package and its launcher copied from the
/// engine source tree (Engines/torch) under engine/, plus run.sh and requirements.txt at the
/// top, so a job folder is all a cluster needs besides the base model.
public enum JobEngineFiles {
    /// Files copied: the package sources, the launcher, the pins and the operation list.
    static let suffixes = [".py", ".sh", ".txt"]

    /// Where the engine is, in order: `explicit`, $TEMPER_ENGINE_DIR, the repository this
    /// binary was built from (beside `.build/`), the repository of this source file.
    public static func locate(explicit: String?, executable: String = CommandLine.arguments.first ?? "",
                              sourceFile: String = #filePath) throws -> URL {
        var candidates: [String] = []
        if let explicit { candidates.append(explicit) } else {
            if let env = ProcessInfo.processInfo.environment["TEMPER_ENGINE_DIR"] { candidates.append(env) }
            let exe = URL(fileURLWithPath: executable).resolvingSymlinksInPath()
            var up = exe.deletingLastPathComponent()
            for _ in 0..<4 {
                up = up.deletingLastPathComponent()
                candidates.append(up.appendingPathComponent("Engines/torch").path)
            }
            var source = URL(fileURLWithPath: sourceFile)
            for _ in 0..<4 { source = source.deletingLastPathComponent() }
            candidates.append(source.appendingPathComponent("Engines/torch").path)
        }
        for c in candidates where FileManager.default.fileExists(atPath: c + "/operations.txt") {
            return URL(fileURLWithPath: c).standardizedFileURL
        }
        throw JobError.engineSourceNotFound(searched: candidates)
    }

    static func copy(from source: URL, into job: URL) throws {
        let engine = job.appendingPathComponent("engine")
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: source, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
            throw JobError.missingFile(path: source.path)
        }
        let base = source.standardizedFileURL.path
        for case let url as URL in walker {
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(base + "/"), !path.contains("__pycache__"), suffixes.contains(where: path.hasSuffix) else { continue }
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            let relative = String(path.dropFirst(base.count + 1))
            guard let data = fm.contents(atPath: path) else { throw JobError.missingFile(path: path) }
            let target = engine.appendingPathComponent(relative)
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(data, to: target)
        }
        for name in ["run.sh", "requirements.txt"] {
            guard let data = fm.contents(atPath: engine.appendingPathComponent(name).path) else {
                throw JobError.missingFile(path: source.appendingPathComponent(name).path)
            }
            try AtomicFile.write(data, to: job.appendingPathComponent(name))
        }
        // run.sh must stay executable after the atomic write.
        for path in [job.appendingPathComponent("run.sh").path, engine.appendingPathComponent("run.sh").path] {
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
    }
}
