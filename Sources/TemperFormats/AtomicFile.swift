import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file so that readers see either the old file or the complete new one:
/// temp file in the same folder, fsync, rename, fsync of the folder.
public final class AtomicFile {
    public let finalURL: URL
    public let tempURL: URL
    private var fd: Int32
    private var finished = false

    /// `stagingFolder`: where the temporary file goes instead of beside `url` (it must be on
    /// the same file system; see `stagingFolder(outside:)`).
    public init(url: URL, stagingFolder: URL? = nil) throws {
        finalURL = url
        StaleStaging.sweep(for: url)
        let dir = stagingFolder ?? url.deletingLastPathComponent()
        if let stagingFolder { StaleStaging.sweep(for: stagingFolder.appendingPathComponent(url.lastPathComponent)) }
        tempURL = dir.appendingPathComponent(".\(url.lastPathComponent).temper-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp")
        fd = open(tempURL.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw Self.failure("cannot create temporary file", errno, url) }
    }

    /// The parent of `folder` when a file written into `folder` can be staged there: it is
    /// writable and on the same device, so the final rename stays atomic. Writers into a
    /// signed folder stage outside it, so that a killed write leaves no stray file inside
    /// the folder that would make its signature fail; nil means stage beside the file.
    public static func stagingFolder(outside folder: URL) -> URL? {
        let parent = folder.standardizedFileURL.deletingLastPathComponent()
        var a = stat(), b = stat()
        guard stat(folder.path, &a) == 0, stat(parent.path, &b) == 0, a.st_dev == b.st_dev, access(parent.path, W_OK) == 0 else { return nil }
        return parent
    }

    /// Appends bytes; loops over short writes.
    public func write(_ buffer: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.failure("write failed", errno, finalURL)
            }
            done += n
        }
    }

    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Flushes to disk and renames over the final name.
    public func commit() throws {
        guard !finished else { return }
        finished = true
        if fsync(fd) != 0 {
            let error = Self.failure("fsync failed", errno, finalURL)
            close(fd); unlink(tempURL.path)
            throw error
        }
        close(fd)
        if rename(tempURL.path, finalURL.path) != 0 {
            let error = Self.failure("rename failed", errno, finalURL)
            unlink(tempURL.path)
            throw error
        }
        let dirfd = open(finalURL.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if dirfd >= 0 { fsync(dirfd); close(dirfd) }
    }

    /// An I/O error naming the file as the user knows it (not its staging folder); a full
    /// disk or quota says that the write was undone.
    static func failure(_ what: String, _ code: Int32, _ url: URL) -> FormatError {
        let full = code == ENOSPC || code == EDQUOT
        return .io(path: StaleStaging.finalPath(url.path),
                   reason: "\(what): \(String(cString: strerror(code)))\(full ? " (the disk is full; nothing was written under this name)" : "")")
    }

    /// Drops the temporary file; the final name is untouched.
    public func abandon() {
        guard !finished else { return }
        finished = true
        close(fd)
        unlink(tempURL.path)
    }

    deinit { abandon() }

    /// Convenience: writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL, stagingFolder: URL? = nil) throws {
        let file = try AtomicFile(url: url, stagingFolder: stagingFolder)
        do { try file.write(data); try file.commit() } catch { file.abandon(); throw error }
    }
}
