import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tmpfs of a few megabytes mounted for one test, so that writes hit a real ENOSPC
/// (`ulimit -f` only simulates EFBIG). Needs root and a kernel that lets this process
/// mount; where it cannot (an unprivileged CI container), `unavailable` says why and the
/// tests that need it are skipped with that reason (never passed as if checked).
final class SmallDisk {
    let url: URL
    private var mounted = true

    /// Why no tmpfs can be mounted here, or nil when it can (probed once, with a 64 KiB mount).
    static let unavailable: String? = {
        do {
            let probe = try SmallDisk(kilobytes: 64)
            probe.unmount()
            return nil
        } catch {
            let reason = "full-disk tests skipped: \(error)"
            FileHandle.standardError.write(Data("\(reason)\n".utf8))
            return reason
        }
    }()

    struct MountFailed: Error, CustomStringConvertible {
        let description: String
    }

    init(kilobytes: Int) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("temper-disk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        guard getuid() == 0 else {
            try? FileManager.default.removeItem(at: url)  // our own empty mount point
            throw MountFailed(description: "not running as root (uid \(getuid()))")
        }
        guard mount("tmpfs", url.path, "tmpfs", 0, "size=\(kilobytes)k") == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: url)  // our own empty mount point
            throw MountFailed(description: "mount -t tmpfs refused: \(reason)")
        }
    }

    /// Unmounts (lazily if something still holds it) and removes the mount point.
    func unmount() {
        guard mounted else { return }
        mounted = false
        if umount(url.path) != 0 { umount2(url.path, Int32(MNT_DETACH)) }
        rmdir(url.path)
    }

    deinit { unmount() }

    /// Bytes still free for writing.
    var free: Int {
        var info = statvfs()
        guard statvfs(url.path, &info) == 0 else { return 0 }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }

    /// Writes `filler` until at most `leaving` bytes are free (0: until the disk is full).
    func fill(leaving: Int) throws {
        let fd = open(url.appendingPathComponent("filler").path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw MountFailed(description: "cannot create filler: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0xA5, count: 4096)
        while free > leaving {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, min($0.count, max(free - leaving, 1))) }
            if n <= 0 { break }  // ENOSPC: full
        }
    }

    func removeFiller() { unlink(url.appendingPathComponent("filler").path) }

    /// Names on the disk (recursively) that are staging leftovers (`.…temper-…`).
    func stagingLeftovers() -> [String] {
        let all = (FileManager.default.enumerator(atPath: url.path)?.allObjects as? [String]) ?? []
        return all.filter { $0.split(separator: "/").contains { $0.hasPrefix(".") && $0.contains(".temper-") } }
    }

    /// Every file under `path` (or the file itself) with its bytes, for before/after checks.
    static func snapshot(_ path: URL) -> [String: Data] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDir) else { return [:] }
        guard isDir.boolValue else { return [path.lastPathComponent: (try? Data(contentsOf: path)) ?? Data()] }
        var out: [String: Data] = [:]
        for name in (FileManager.default.enumerator(atPath: path.path)?.allObjects as? [String]) ?? [] {
            let file = path.appendingPathComponent(name)
            var dir: ObjCBool = false
            if FileManager.default.fileExists(atPath: file.path, isDirectory: &dir), !dir.boolValue {
                out[name] = (try? Data(contentsOf: file)) ?? Data()
            }
        }
        return out
    }
}
