import Foundation
import TemperFormats

/// Benchmark 2c: raw GGUF blocks → f32 in memory, `GGMLDequantize.decode` over a file of
/// blocks that dequant_peer.py `make` wrote (the peer times gguf-py's numpy dequantize on it).
enum DequantizeBench {
    static func run(_ options: BenchArguments) throws {
        let url = URL(fileURLWithPath: try options.path(0, "FILE.bin"))
        let name = try options.path(1, "TYPE (Q8_0, Q4_K, …)")
        let repeats = try options.int("repeats", default: 3)
        guard let type = GGMLType.allCases.first(where: { $0.name == name }) else { throw BenchError.input("unknown ggml type \(name)") }
        let raw = [UInt8](try Data(contentsOf: url))
        let count = raw.count / type.typeSize * type.blockSize
        let bytes = count / type.blockSize * type.typeSize
        var out = [Float](repeating: 0, count: count)
        let times = try Measure.samples(repeats: repeats, warmup: 1) {
            try raw.withUnsafeBytes { src in
                try out.withUnsafeMutableBufferPointer {
                    try GGMLDequantize.decode(UnsafeRawBufferPointer(rebasing: src[0..<bytes]), as: type, into: $0)
                }
            }
        }
        let median = Measure.median(times)
        try Measure.report([
            "benchmark": "dequantize_\(name.lowercased())", "input_bytes": bytes, "output_bytes": count * 4,
            "times_s": times, "median_s": median, "gb_per_s": Double(count * 4) / median / 1e9,
        ])
    }
}
