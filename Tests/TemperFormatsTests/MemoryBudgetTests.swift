import Foundation
import Testing
@testable import TemperFormats

/// The /proc/meminfo and cgroup parsers on sample text: missing, empty or malformed input
/// means "unknown" (nil, no check), never a crash or a refusal.
@Suite struct MemoryBudgetTests {
    @Test func memAvailableIsReadInKilobytes() {
        let meminfo = "MemTotal:       32768000 kB\nMemFree:         1000 kB\nMemAvailable:   23722040 kB\nBuffers: 5 kB\n"
        #expect(MemoryBudget.memAvailable(meminfo) == 23_722_040 * 1024)
        #expect(MemoryBudget.memAvailable("MemAvailable: 4096\n") == 4096)
        for bad in [nil, "", "MemTotal: 1 kB\n", "MemAvailable: lots kB\n", "MemAvailable:\n", "MemAvailable: 5 MB\n",
                    "MemAvailable: 99999999999999999999 kB\n", "MemAvailable: 18446744073709551615 kB\n"] {
            #expect(MemoryBudget.memAvailable(bad) == nil, "\(String(describing: bad))")
        }
    }

    @Test func cgroupValuesTreatMaxAndV1UnlimitedAsNoLimit() {
        #expect(MemoryBudget.cgroupValue("1073741824\n") == 1 << 30)
        for none in [nil, "max\n", "", "-1", "9223372036854771712\n", "12 34"] {
            #expect(MemoryBudget.cgroupValue(none) == nil, "\(String(describing: none))")
        }
    }

    @Test func headroomAddsReclaimableFilePagesAndNeverGoesNegative() {
        let stat = "anon 100\nactive_file 300\ninactive_file 200\nshmem 50\nbad line here\n"
        let keys = ["active_file", "inactive_file"]
        #expect(MemoryBudget.headroom(limit: "2000", usage: "1500", stat: stat, fileKeys: keys) == 1000)
        #expect(MemoryBudget.headroom(limit: "1000", usage: "1500", stat: nil, fileKeys: keys) == 0)
        #expect(MemoryBudget.headroom(limit: "max", usage: "1500", stat: stat, fileKeys: keys) == nil)
        #expect(MemoryBudget.headroom(limit: "1000", usage: nil, stat: stat, fileKeys: keys) == nil)
        #expect(MemoryBudget.statSum("total_active_file 7\ntotal_inactive_file 8\nactive_file 100\n",
                                     keys: ["total_active_file", "total_inactive_file"]) == 15)
    }

    @Test func procSelfCgroupGivesTheV2AndV1Paths() {
        let hybrid = "9:name=systemd:/\n4:memory:/process_api/a701\n2:cpu,cpuacct:/x\n0::/user.slice/s1\n"
        #expect(MemoryBudget.cgroupPath(hybrid, controller: nil) == "/user.slice/s1")
        #expect(MemoryBudget.cgroupPath(hybrid, controller: "memory") == "/process_api/a701")
        #expect(MemoryBudget.cgroupPath(hybrid, controller: "cpuacct") == "/x")
        #expect(MemoryBudget.cgroupPath("4:memory:/a\n", controller: nil) == nil)
        #expect(MemoryBudget.cgroupPath("garbage\n::\n", controller: "memory") == nil)
        #expect(MemoryBudget.cgroupPath(nil, controller: nil) == nil)
        #expect(MemoryBudget.levels(mount: "/sys/fs/cgroup", path: "/a/b") == ["/sys/fs/cgroup/a/b", "/sys/fs/cgroup/a", "/sys/fs/cgroup"])
        #expect(MemoryBudget.levels(mount: "/sys/fs/cgroup", path: "/") == ["/sys/fs/cgroup"])
        #expect(MemoryBudget.levels(mount: "/m", path: "/a/../../etc") == ["/m"])
    }

    @Test func missingFilesAreUnknown() {
        #expect(MemoryBudget.read("/nonexistent/temper/meminfo") == nil)
        #expect(MemoryBudget.read("/proc/meminfo").map { MemoryBudget.memAvailable($0) != nil } != false)
    }

    /// The check itself: the error names the file, tensor and both byte counts; an
    /// unparsable override or an unknown amount means no check.
    @Test func requireThrowsTheTypedError() throws {
        let v = MemoryBudget.overrideVariable
        #expect(MemoryBudget.available(environment: [v: "1000"]) == 1000)
        #expect(MemoryBudget.available(environment: [v: "not a number"]) == nil)
        #expect(MemoryBudget.available(environment: [:]) != 0)
        try MemoryBudget.require(1000, for: "x", path: "/m", tensor: nil, available: 1000)
        #expect(throws: FormatError.insufficientMemory(path: "/m", tensor: "t", what: "x", needed: 1001, available: 1000)) {
            try MemoryBudget.require(1001, for: "x", path: "/m", tensor: "t", available: 1000)
        }
        #expect(throws: FormatError.self) { try MemoryBudget.require(nil, for: "overflowed", path: "/m", tensor: nil, available: 1 << 40) }
        try MemoryBudget.require(UInt64.max, for: "unknown means no check", path: "/m", tensor: nil, available: nil)
        let text = FormatError.insufficientMemory(path: "/m", tensor: "t", what: "x", needed: 1001, available: 1000).localizedDescription
        #expect(text.contains("/m") && text.contains("'t'") && text.contains("1001 bytes") && text.contains("1000 bytes"))
    }
}
