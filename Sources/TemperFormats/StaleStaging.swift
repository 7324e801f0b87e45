import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Leftovers of writes that were killed before they finished: `AtomicFile`'s
/// `.NAME.temper-PID-R.tmp`, `AtomicFolder`'s `.NAME.temper-partial-PID-R` and
/// `.NAME.temper-old-PID` (the old folder moved aside while a replacement went in).
/// Before writing NAME, the leftovers of NAME whose process is gone are dealt with:
/// partial files and folders are removed; an old folder is put back under NAME when NAME is
/// missing (the kill came between the two renames, so it is the only copy) and removed
/// otherwise. A leftover whose process still runs — or whose PID a new process reuses —
/// is left alone, as is one modified after this process began writing; that errs on keeping.
public enum StaleStaging {
    public enum Kind: Equatable, Sendable { case partialFile, partialFolder, oldFolder }

    /// The kind and PID of a sibling name left by a write of `name`, or nil.
    public static func parse(_ sibling: String, name: String) -> (Kind, pid_t)? {
        let prefix = ".\(name).temper-"
        guard sibling.hasPrefix(prefix) else { return nil }
        let rest = sibling.dropFirst(prefix.count)
        func pid(_ s: Substring) -> pid_t? { pid_t(s).flatMap { $0 > 0 ? $0 : nil } }
        if rest.hasPrefix("partial-") {
            let fields = rest.dropFirst("partial-".count).split(separator: "-")
            guard fields.count == 2, UInt32(fields[1]) != nil, let p = pid(fields[0]) else { return nil }
            return (.partialFolder, p)
        }
        if rest.hasPrefix("old-") {
            guard let p = pid(rest.dropFirst("old-".count)) else { return nil }
            return (.oldFolder, p)
        }
        guard rest.hasSuffix(".tmp") else { return nil }
        let fields = rest.dropLast(".tmp".count).split(separator: "-")
        guard fields.count == 2, UInt32(fields[1]) != nil, let p = pid(fields[0]) else { return nil }
        return (.partialFile, p)
    }

    /// `path` as the user will see it once committed: every staging component
    /// (`.NAME.temper-partial-PID-R`, `.NAME.temper-PID-R.tmp`) replaced by its NAME, so an
    /// error inside a staging folder names the output the user asked for.
    /// A staging folder built inside another's staging name (`..out.temper-partial-1-2.temper-partial-3-4`)
    /// is unwrapped to the outer final name too.
    public static func finalPath(_ path: String) -> String {
        func unwrap(_ part: Substring) -> Substring {
            guard part.hasPrefix("."), let marker = part.range(of: ".temper-", options: .backwards) else { return part }
            let name = part[part.index(after: part.startIndex)..<marker.lowerBound]
            guard !name.isEmpty, let (kind, _) = parse(String(part), name: String(name)), kind != .oldFolder else { return part }
            return unwrap(name)
        }
        return path.split(separator: "/", omittingEmptySubsequences: false).map(unwrap).joined(separator: "/")
    }

    /// Whether a process with this PID exists (EPERM: it exists, owned by someone else).
    static func isRunning(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    /// The time of this process's first sweep (about when it started writing); leftovers
    /// modified later are never touched.
    static let processStart = Date()

    /// Cleans the leftovers of earlier, killed writes of `url`; returns what it did, as
    /// (sibling path, action) pairs. Failures to clean are not errors: the write goes on.
    @discardableResult
    public static func sweep(for url: URL) -> [(path: String, action: String)] {
        let parent = url.deletingLastPathComponent()
        let name = url.lastPathComponent
        let siblings: [String]
        do { siblings = try FileManager.default.contentsOfDirectory(atPath: parent.path) } catch { return [] }
        var done: [(String, String)] = []
        for sibling in siblings.sorted() {
            guard let (kind, pid) = parse(sibling, name: name), pid != getpid(), !isRunning(pid) else { continue }
            let path = parent.appendingPathComponent(sibling).path
            var info = stat()
            guard lstat(path, &info) == 0, Double(info.st_mtim.tv_sec) < processStart.timeIntervalSince1970 else { continue }
            if kind == .oldFolder && !FileManager.default.fileExists(atPath: url.path) {
                if rename(path, url.path) == 0 { done.append((path, "restored as \(url.path)")) }
                continue
            }
            do {
                try FileManager.default.removeItem(atPath: path)
                done.append((path, "removed"))
            } catch { continue }  // left for a later run; the new write does not need it gone
        }
        return done
    }
}
