import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Timing and reporting shared by every benchmark: monotonic wall-clock samples, their
/// median, this process's peak RSS, and one JSON object per run on stdout (run.sh reads it).
enum Measure {
    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Wall-clock seconds of `body`.
    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = now()
        try body()
        return now() - start
    }

    /// Runs `body` `warmup` times (timed apart), then `repeats` times; returns the samples.
    static func samples(repeats: Int, warmup: Int = 1, _ body: () throws -> Void) rethrows -> [Double] {
        try samplesWithWarmup(repeats: repeats, warmup: warmup, body).timed
    }

    /// Like `samples`, also returning the warm-up runs' times (first runs pay one-time costs).
    static func samplesWithWarmup(repeats: Int, warmup: Int = 1, _ body: () throws -> Void) rethrows
        -> (warmup: [Double], timed: [Double]) {
        let first = try (0..<warmup).map { _ in try time(body) }
        return (first, try (0..<repeats).map { _ in try time(body) })
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Peak resident set size of this process so far, in MB (getrusage; KB on Linux).
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// Minor page faults of this process so far (fresh memory touched for the first time).
    static func minorFaults() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_minflt
    }

    /// Prints `fields` plus the peak RSS as one JSON line on stdout.
    static func report(_ fields: [String: Any]) throws {
        var all = fields
        all["peak_rss_mb"] = peakRSSMegabytes()
        let data = try JSONSerialization.data(withJSONObject: all, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// Progress and notes go to stderr so stdout stays one JSON line.
    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
