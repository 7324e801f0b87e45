import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a whole folder so that readers see either the old folder or the complete new one:
/// the contents are built in a hidden sibling folder, which then replaces the destination
/// by rename. If the destination exists it is first renamed aside and removed only after the
/// new folder is in place; if that second rename fails the old folder is put back.
enum AtomicFolder {
    static func write(to destination: URL, _ fill: (URL) throws -> Void) throws {
        let fm = FileManager.default
        let parent = destination.deletingLastPathComponent()
        let name = destination.lastPathComponent
        var isFolder: ObjCBool = false
        if fm.fileExists(atPath: destination.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw ModelError.io(path: destination.path, reason: "exists and is not a folder")
        }
        do { try fm.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
            throw ModelError.io(path: parent.path, reason: "cannot create folder: \(error.localizedDescription)")
        }
        let tag = "temper-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let staging = parent.appendingPathComponent(".\(name).\(tag).tmp")
        do { try fm.createDirectory(at: staging, withIntermediateDirectories: false) } catch {
            throw ModelError.io(path: staging.path, reason: "cannot create staging folder: \(error.localizedDescription)")
        }
        do {
            try fill(staging)
            try syncFolder(staging)
        } catch {
            removeBestEffort(staging)
            throw error
        }
        guard isFolder.boolValue else {
            try rename(staging, to: destination, cleanup: staging)
            try syncFolder(parent)
            return
        }
        let aside = parent.appendingPathComponent(".\(name).\(tag).old")
        try rename(destination, to: aside, cleanup: staging)
        if Glibc.rename(staging.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            _ = Glibc.rename(aside.path, destination.path)  // put the old folder back
            removeBestEffort(staging)
            throw ModelError.io(path: destination.path, reason: "rename failed: \(reason)")
        }
        try syncFolder(parent)
        removeBestEffort(aside)
    }

    private static func rename(_ from: URL, to: URL, cleanup: URL) throws {
        guard Glibc.rename(from.path, to.path) == 0 else {
            let reason = String(cString: strerror(errno))
            removeBestEffort(cleanup)
            throw ModelError.io(path: to.path, reason: "rename failed: \(reason)")
        }
    }

    private static func syncFolder(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw ModelError.io(path: url.path, reason: "cannot open folder to sync: \(String(cString: strerror(errno)))") }
        fsync(fd)
        close(fd)
    }

    /// Removes a folder Temper created itself; a failure leaves a hidden leftover, not a
    /// wrong result, so it is not reported.
    private static func removeBestEffort(_ url: URL) {
        do { try FileManager.default.removeItem(at: url) } catch {}
    }
}
