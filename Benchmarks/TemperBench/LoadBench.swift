import Foundation
import TemperFormats

/// Benchmark 1: a safetensors file into memory. Times `SafetensorsFile(url:)` (map + header
/// validation) plus `loadAll()` (every tensor copied into one owned buffer), which is what
/// python's `safetensors.numpy.load_file` does (parse header, one numpy array per tensor).
/// The file is read once untimed first, so both sides load from a warm page cache.
enum LoadBench {
    static func run(_ options: BenchArguments) throws {
        let url = URL(fileURLWithPath: try options.path(0, "FILE.safetensors"))
        let repeats = try options.int("repeats", default: 3)
        var bytes = 0, tensors = 0
        let (first, times) = try Measure.samplesWithWarmup(repeats: repeats, warmup: 1) {
            let file = try SafetensorsFile(url: url)
            let loaded = try file.loadAll()
            tensors = loaded.count
            bytes = loaded.records.reduce(0) { $0 + Int($1.byteCount) }
        }
        let median = Measure.median(times)
        try Measure.report([
            "benchmark": "load", "tensors": tensors, "bytes": bytes,
            "first_load_s": first.first ?? .nan, "times_s": times, "median_s": median, "gb_per_s": Double(bytes) / median / 1e9,
        ])
    }
}
