// Times full training steps (forward + backward + AdamW) of TinyLlamaStack and the sgemm
// ceiling of this machine. Build and run with Benchmarks/train_step/run.sh.
import Foundation
import TemperTensor
import CBLAS

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

/// sgemm GFLOP/s on an n×n×n product (the machine's ceiling for this workload).
/// Measured with OpenBLAS's own 2 threads (TemperTensor's setting is restored after).
func sgemmCeiling(n: Int = 1024, repeats: Int = 10) -> Double {
    let previous = TensorBackend.blasThreads
    TensorBackend.setBLASThreads(TensorBackend.threads)
    defer { TensorBackend.setBLASThreads(previous) }
    let a = [Float](repeating: 0.5, count: n * n), b = a
    var c = [Float](repeating: 0, count: n * n)
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = now()
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
        times.append(now() - start)
    }
    return 2 * Double(n * n * n) / median(times) / 1e9
}

/// Matmul FLOPs of one training step (forward ×3 for backward): linears, lm_head, attention.
func stepFlops(_ c: StackConfig) -> Double {
    let tokens = Double(c.batch * c.seq)
    let perLayer = Double(c.hidden * (c.heads + 2 * c.kvHeads) * c.headDim + c.heads * c.headDim * c.hidden + 3 * c.hidden * c.intermediate)
    let attention = Double(c.batch * c.heads) * 2 * 2 * Double(c.seq * c.seq * c.headDim)
    let forward = 2 * tokens * (perLayer * Double(c.layers) + Double(c.hidden * c.vocab)) + attention * Double(c.layers)
    return 3 * forward
}

func run(_ c: StackConfig, steps: Int, warmup: Int) throws {
    let model = try TinyLlamaStack(c, seed: 0)
    let optimizer = AdamW(parameters: model.parameters, learningRate: 1e-3, weightDecay: 0.01)
    var rng = TensorRNG(seed: 1)
    let ids = (0..<(c.batch * c.seq)).map { _ in rng.nextInt(below: c.vocab) }
    let targets = Array(ids.dropFirst()) + [ids[0]]
    var times: [Double] = [], phases = [0.0, 0.0, 0.0]
    var lastLoss: Float = 0
    for step in 0..<(warmup + steps) {
        let t0 = now()
        optimizer.zeroGrad()
        let loss = try model.loss(ids: ids, targets: targets)
        let t1 = now()
        try loss.backward()
        let t2 = now()
        try optimizer.step()
        let t3 = now()
        lastLoss = try loss.item()
        if step >= warmup {
            times.append(t3 - t0)
            phases[0] += t1 - t0; phases[1] += t2 - t1; phases[2] += t3 - t2
        }
    }
    let params = model.parameters.reduce(0) { $0 + $1.count }
    let best = times.min() ?? 0
    print(String(format: "temper %@ params=%.2fM step_ms_min=%.1f step_ms_median=%.1f gflops_at_min=%.1f (mean fwd %.1f, bwd %.1f, adamw %.1f ms) loss=%.4f",
                 c.name, Double(params) / 1e6, best * 1e3, median(times) * 1e3, stepFlops(c) / best / 1e9,
                 phases[0] / Double(steps) * 1e3, phases[1] / Double(steps) * 1e3, phases[2] / Double(steps) * 1e3, lastLoss))
}

let configs = [
    StackConfig(name: "a", hidden: 128, layers: 4, heads: 4, kvHeads: 2, intermediate: 352, seq: 64, batch: 16, vocab: 320),
    StackConfig(name: "b", hidden: 512, layers: 8, heads: 8, kvHeads: 8, intermediate: 1376, seq: 128, batch: 8, vocab: 4096),
]
let which = CommandLine.arguments.dropFirst().first ?? "all"
print(String(format: "sgemm_ceiling_gflops=%.1f blas_threads=%d", sgemmCeiling(), TensorBackend.blasThreads))
for c in configs where which == "all" || which == c.name {
    try run(c, steps: c.name == "a" ? 30 : 6, warmup: 2)
}
