import Foundation

/// Builds a folder under a hidden staging name beside its final name and renames it into
/// place only when complete, so an interrupted run never leaves a partial folder under the
/// final name. Files inside are written with `AtomicFile` as usual.
public final class AtomicFolder {
    public let finalURL: URL
    public let stagingURL: URL
    private var finished = false

    /// Fails when `url` exists, unless `replace` is set (then the old folder is swapped out
    /// only after the new one is complete).
    public init(url: URL, replace: Bool = false) throws {
        finalURL = url.standardizedFileURL
        StaleStaging.sweep(for: finalURL)
        if FileManager.default.fileExists(atPath: finalURL.path) && !replace {
            throw FormatError.io(path: finalURL.path, reason: "already exists (choose another output or pass --force)")
        }
        let parent = finalURL.deletingLastPathComponent()
        stagingURL = parent.appendingPathComponent(".\(finalURL.lastPathComponent).temper-partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try FileManager.default.createDirectory(at: stagingURL, withIntermediateDirectories: false)
        } catch {
            throw FormatError.io(path: finalURL.path, reason: "cannot create staging folder in \(parent.path): \(error.localizedDescription)")
        }
    }

    /// Moves the finished folder to its final name (replacing an old one if allowed).
    public func commit() throws {
        guard !finished else { return }
        finished = true
        let fm = FileManager.default
        var displaced: URL?
        if fm.fileExists(atPath: finalURL.path) {
            let old = finalURL.deletingLastPathComponent().appendingPathComponent(".\(finalURL.lastPathComponent).temper-old-\(getpid())")
            guard rename(finalURL.path, old.path) == 0 else {
                try? fm.removeItem(at: stagingURL)
                throw FormatError.io(path: finalURL.path, reason: "cannot move the old folder aside: \(String(cString: strerror(errno)))")
            }
            displaced = old
        }
        guard rename(stagingURL.path, finalURL.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let displaced { _ = rename(displaced.path, finalURL.path) }
            try? fm.removeItem(at: stagingURL)
            throw FormatError.io(path: finalURL.path, reason: "rename failed: \(reason)")
        }
        if let displaced { try? fm.removeItem(at: displaced) }
        let dirfd = open(finalURL.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if dirfd >= 0 { fsync(dirfd); close(dirfd) }
    }

    /// Removes the staging folder; the final name is untouched.
    public func abandon() {
        guard !finished else { return }
        finished = true
        try? FileManager.default.removeItem(at: stagingURL)
    }

    deinit { abandon() }

    /// Builds a folder with `fill` (given the staging folder) and moves it into place,
    /// replacing an existing folder only once the new one is complete.
    public static func write(to url: URL, _ fill: (URL) throws -> Void) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw FormatError.io(path: url.path, reason: "exists and is not a folder")
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let folder = try AtomicFolder(url: url, replace: true)
        do {
            try fill(folder.stagingURL)
            try folder.commit()
        } catch {
            folder.abandon()
            throw error
        }
    }
}
