import Foundation
import TemperFormats

/// Benchmark 2a: F32 → Q8_0 of every F32 tensor of a safetensors file, in memory. The tensors
/// are loaded as [Float] first (untimed); the timed part is `Quantize.encode(.q8_0)` of each,
/// the same work as gguf-py's `gguf.quants.quantize(arr, GGMLQuantizationType.Q8_0)`.
enum QuantizeBench {
    static func run(_ options: BenchArguments) throws {
        let url = URL(fileURLWithPath: try options.path(0, "FILE.safetensors"))
        let repeats = try options.int("repeats", default: 3)
        let file = try SafetensorsFile(url: url)
        var tensors: [(name: String, values: [Float], rowLength: Int)] = []
        for record in file.tensors where record.dtype == .f32 {
            let bytes = try file.load(record)
            let values = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            tensors.append((record.name, values, record.shape.last ?? 1))
        }
        guard !tensors.isEmpty else { throw BenchError.input("\(url.path): no F32 tensors to quantize") }
        var outputBytes = 0
        let times = try Measure.samples(repeats: repeats, warmup: 1) {
            outputBytes = 0
            for tensor in tensors {
                let encoded = try Quantize.encode(tensor.values, as: .q8_0, rowLength: tensor.rowLength, tensor: tensor.name)
                outputBytes += encoded.count
            }
        }
        let inputBytes = tensors.reduce(0) { $0 + $1.values.count * 4 }
        let median = Measure.median(times)
        try Measure.report([
            "benchmark": "quantize_q8_0", "tensors": tensors.count, "input_bytes": inputBytes, "output_bytes": outputBytes,
            "times_s": times, "median_s": median, "gb_per_s": Double(inputBytes) / median / 1e9,
        ])
    }
}
