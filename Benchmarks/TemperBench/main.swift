import Foundation

// TemperBench: Temper's side of `make bench`. Each subcommand measures one thing and prints
// one JSON object on stdout (progress on stderr); Benchmarks/run.sh pairs it with the peer.
let usage = """
    usage: TemperBench <benchmark> [options]
      load FILE.safetensors [--repeats N]        SafetensorsFile.loadAll() into memory
      quantize FILE.safetensors [--repeats N]    Quantize.encode(.q8_0) of every F32 tensor
      dequantize FILE.bin TYPE [--repeats N]     GGMLDequantize.decode of raw TYPE blocks
      sgemm [--n 2048] [--repeats N]             OpenBLAS sgemm ceiling (n×n×n)
      train --config a|b [--steps N] [--warmup N] [--profile 1]
                                                 Llama-style stack: step, forward, GFLOP/s
      ops --config a|b [--repeats N]          per-op forward/backward times at the same shapes
    """

let arguments = CommandLine.arguments
do {
    guard arguments.count >= 2 else { throw BenchError.usage(usage) }
    let options = try BenchArguments(arguments.dropFirst(2))
    switch arguments[1] {
    case "load": try LoadBench.run(options)
    case "quantize": try QuantizeBench.run(options)
    case "dequantize": try DequantizeBench.run(options)
    case "sgemm": try GemmBench.run(options)
    case "train": try TrainBench.run(options)
    case "ops": try OpsBench.run(options)
    default: throw BenchError.usage(usage)
    }
} catch {
    Measure.note("TemperBench: \(error)")
    exit(1)
}
