import Foundation
import TemperTensor

/// The machine's sgemm ceiling as TemperTensor sees it: an n×n×n product through the same
/// `cblas_sgemm` path the model's matmuls use, with OpenBLAS's configured thread count.
enum GemmBench {
    static func run(_ options: BenchArguments) throws {
        let n = try options.int("n", default: 2048)
        let repeats = try options.int("repeats", default: 3)
        try Measure.report(try measure(n: n, repeats: repeats))
    }

    static func measure(n: Int, repeats: Int) throws -> [String: Any] {
        var rng = TensorRNG(seed: 1)
        let a = try Tensor.randn([n, n], rng: &rng), b = try Tensor.randn([n, n], rng: &rng)
        let times = try Measure.samples(repeats: repeats, warmup: 1) { _ = try a.matmul(b) }
        let median = Measure.median(times)
        return [
            "benchmark": "sgemm", "n": n, "threads": TensorBackend.blasThreads,
            "times_s": times, "median_s": median, "gflops": 2 * pow(Double(n), 3) / median / 1e9,
        ]
    }
}
