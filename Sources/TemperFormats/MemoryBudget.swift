import Foundation

/// How much memory this process can still allocate, and the check a command makes before an
/// allocation it sized from file contents (a model's f32 weights, a tensor's f32 buffer,
/// optimizer state), so that an input too big for the machine is refused with a typed error
/// (`FormatError.insufficientMemory`, exit 1) instead of being killed by the OOM killer.
///
/// Available memory is the smallest of:
/// - `MemAvailable` in /proc/meminfo (free memory plus what the kernel can reclaim);
/// - for each cgroup v2 level from this process's cgroup up to the root that sets
///   `memory.max`: `memory.max − memory.current + active_file + inactive_file` (file pages
///   in the page cache, e.g. of a mapped weight file, count as used but can be reclaimed);
/// - the same for cgroup v1 (`memory.limit_in_bytes`, `memory.usage_in_bytes`, `total_*_file`).
/// Swap is not counted. Anything that cannot be read or parsed is left out; when nothing is
/// known, no check is made (`available()` is nil). `TEMPER_MEMORY_AVAILABLE=BYTES` replaces
/// the measurement (for tests, or to lift a check the user knows to be wrong).
public enum MemoryBudget {
    public static let overrideVariable = "TEMPER_MEMORY_AVAILABLE"

    /// Bytes this process can still allocate, or nil when unknown.
    public static func available(environment: [String: String] = ProcessInfo.processInfo.environment) -> UInt64? {
        if let text = environment[overrideVariable] {
            return UInt64(text.trimmingCharacters(in: .whitespaces))  // an unparsable override means unknown
        }
        let limits = [memAvailable(read("/proc/meminfo"))] + cgroupV2Limits() + cgroupV1Limits()
        return limits.compactMap { $0 }.min()
    }

    /// Throws `insufficientMemory` when `bytes` is more than is available (nil: the amount
    /// overflowed, so it cannot fit). `what` says what the memory is for, as in
    /// "f32 weights of all tensors"; `path` and `tensor` name the input it was sized from.
    public static func require(_ bytes: UInt64?, for what: String, path: String, tensor: String? = nil) throws {
        try require(bytes, for: what, path: path, tensor: tensor, available: available())
    }

    static func require(_ bytes: UInt64?, for what: String, path: String, tensor: String?, available: UInt64?) throws {
        guard let available else { return }
        let needed = bytes ?? UInt64.max
        guard needed > available else { return }
        throw FormatError.insufficientMemory(path: path, tensor: tensor, what: what, needed: needed, available: available)
    }

    /// Before a loop that decodes `tensors` one at a time, each into a new f32 buffer:
    /// refuses the largest when it cannot fit, so the command stops before any work rather
    /// than at that tensor. (The loop still checks each buffer as it allocates it.)
    public static func requireLargestF32(_ tensors: [(name: String, shape: [Int])], for what: String, path: String) throws {
        var largest: (name: String, count: Int?)?
        for t in tensors {
            let count = CheckedMath.elementCount(t.shape)
            if largest == nil || (count ?? Int.max) > (largest?.count ?? Int.max) { largest = (t.name, count) }
            if count == nil { break }  // overflowed: nothing is larger
        }
        guard let largest else { return }
        try require(largest.count.flatMap(f32Bytes), for: what, path: path, tensor: largest.name)
    }

    /// `count` f32 values in bytes, nil on overflow (or a negative count).
    public static func f32Bytes(_ count: Int) -> UInt64? {
        guard let n = UInt64(exactly: count) else { return nil }
        return CheckedMath.product(n, 4)
    }

    // MARK: parsers (pure, tested on sample text)

    /// `MemAvailable:  123456 kB` in /proc/meminfo, in bytes.
    static func memAvailable(_ meminfo: String?) -> UInt64? {
        guard let meminfo else { return nil }
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.dropFirst("MemAvailable:".count).split(separator: " ")
            guard let first = fields.first, let value = UInt64(first) else { return nil }
            let unit = fields.count > 1 ? fields[1].lowercased() : ""
            return unit == "kb" ? CheckedMath.product(value, 1024) : (unit.isEmpty ? value : nil)
        }
        return nil
    }

    /// A cgroup limit or usage file's number; nil for `max`, anything unparsable, and v1's
    /// "no limit" (a value of 2^62 or more: the page-rounded LONG_MAX).
    static func cgroupValue(_ text: String?) -> UInt64? {
        guard let text, let value = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)), value < 1 << 62 else { return nil }
        return value
    }

    /// The sum of the named counters in a memory.stat file (0 for those missing).
    static func statSum(_ stat: String?, keys: [String]) -> UInt64 {
        guard let stat else { return 0 }
        var total: UInt64 = 0
        for line in stat.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 2, keys.contains(String(fields[0])), let v = UInt64(fields[1]) else { continue }
            total = CheckedMath.sum(total, v) ?? total
        }
        return total
    }

    /// What a cgroup level leaves: limit − usage + reclaimable file pages (0 when over).
    static func headroom(limit: String?, usage: String?, stat: String?, fileKeys: [String]) -> UInt64? {
        guard let max = cgroupValue(limit), let used = cgroupValue(usage) else { return nil }
        let reclaimable = statSum(stat, keys: fileKeys)
        let free = CheckedMath.sum(max, reclaimable) ?? UInt64.max
        return free > used ? free - used : 0
    }

    /// This process's cgroup path for `controller` from /proc/self/cgroup: the v2 line is
    /// `0::/PATH`; a v1 line is `N:CONTROLLERS:/PATH` with `controller` among CONTROLLERS.
    static func cgroupPath(_ procCgroup: String?, controller: String?) -> String? {
        guard let procCgroup else { return nil }
        for line in procCgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if let controller {
                if fields[1].split(separator: ",").contains(Substring(controller)) { return String(fields[2]) }
            } else if fields[0] == "0" && fields[1].isEmpty {
                return String(fields[2])
            }
        }
        return nil
    }

    /// The folders from `mount + path` up to `mount` (the process's level first). A path with
    /// `..` is not followed.
    static func levels(mount: String, path: String) -> [String] {
        let parts = path.split(separator: "/").map(String.init)
        guard !parts.contains("..") else { return [mount] }
        return (0...parts.count).reversed().map { n in ([mount] + parts.prefix(n)).joined(separator: "/") }
    }

    // MARK: reading

    /// A kernel file's text (these report size 0, so it is read to its end), nil when it
    /// cannot be read: a missing or unreadable file means "unknown", never an error.
    static func read(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { handle.closeFile() }
        do { return String(data: try handle.readToEnd() ?? Data(), encoding: .utf8) } catch { return nil }
    }

    static func cgroupV2Limits() -> [UInt64?] {
        guard let path = cgroupPath(read("/proc/self/cgroup"), controller: nil) else { return [] }
        return levels(mount: "/sys/fs/cgroup", path: path).map { dir in
            headroom(limit: read(dir + "/memory.max"), usage: read(dir + "/memory.current"), stat: read(dir + "/memory.stat"),
                     fileKeys: ["active_file", "inactive_file"])
        }
    }

    static func cgroupV1Limits() -> [UInt64?] {
        guard let path = cgroupPath(read("/proc/self/cgroup"), controller: "memory") else { return [] }
        return (levels(mount: "/sys/fs/cgroup/memory", path: path)).map { dir in
            headroom(limit: read(dir + "/memory.limit_in_bytes"), usage: read(dir + "/memory.usage_in_bytes"),
                     stat: read(dir + "/memory.stat"), fileKeys: ["total_active_file", "total_inactive_file"])
        }
    }
}
