import Foundation
import TemperTensor

/// Benchmark 5: one full training step (forward + backward + AdamW) of `LlamaStack`, and a
/// forward-only pass, on random token ids. Also measures the sgemm ceiling in the same
/// process so the effective rate can be stated as a share of it.
enum TrainBench {
    static func run(_ options: BenchArguments) throws {
        let config = try LlamaBenchConfig.named(options.string("config", default: "a"))
        let steps = try options.int("steps", default: 5)
        let warmup = try options.int("warmup", default: 2)
        let profile = try options.int("profile", default: 0) != 0
        let ceiling = try GemmBench.measure(n: try options.int("gemm-n", default: 2048), repeats: 3)

        var rng = TensorRNG(seed: 42)
        let model = try LlamaStack(config, rng: &rng)
        let ids = (0..<config.tokens).map { _ in rng.nextInt(below: config.vocab) }
        let targets = (0..<config.tokens).map { _ in rng.nextInt(below: config.vocab) }
        let optimizer = AdamW(parameters: model.parameters, learningRate: 1e-4, weightDecay: 0.01)

        var forward: [Double] = [], backward: [Double] = [], update: [Double] = [], total: [Double] = [], losses: [Float] = []
        for step in 0..<(warmup + steps) {
            var loss: Tensor?
            let f = try Measure.time { loss = try model.loss(ids: ids, targets: targets) }
            guard let loss else { throw BenchError.input("no loss") }
            let b = try Measure.time { try loss.backward() }
            let u = try Measure.time { try optimizer.step(); optimizer.zeroGrad() }
            losses.append(try loss.item())
            guard step >= warmup else { continue }
            forward.append(f); backward.append(b); update.append(u); total.append(f + b + u)
            Measure.note(String(format: "train %@ step %d: %.3f s (fwd %.3f, bwd %.3f, adamw %.3f) loss %.4f",
                                config.name, step - warmup, f + b + u, f, b, u, losses.last ?? .nan))
        }
        // Forward only, no graph recorded (inference).
        let inference = try noGrad {
            try Measure.samples(repeats: steps, warmup: 1) { _ = try model.loss(ids: ids, targets: targets) }
        }

        let stepTime = Measure.median(total), forwardOnly = Measure.median(inference)
        let gflops = config.trainingFLOPs / stepTime / 1e9
        let ceilingGflops = ceiling["gflops"] as? Double ?? .nan
        var fields: [String: Any] = [
            "benchmark": "train_\(config.name)", "config": config.summary, "blas_threads": TensorBackend.blasThreads,
            "step_times_s": total, "step_s": stepTime, "tokens_per_s": Double(config.tokens) / stepTime,
            "forward_s": Measure.median(forward), "backward_s": Measure.median(backward), "adamw_s": Measure.median(update),
            "training_gflop_per_step": config.trainingFLOPs / 1e9, "gflops": gflops,
            "sgemm_ceiling_gflops": ceilingGflops, "percent_of_ceiling": 100 * gflops / ceilingGflops, "sgemm": ceiling,
            "forward_only_times_s": inference, "forward_only_s": forwardOnly,
            "forward_only_tokens_per_s": Double(config.tokens) / forwardOnly,
            "forward_only_gflops": config.forwardFLOPs / forwardOnly / 1e9,
            "loss_first": Double(losses.first ?? .nan), "loss_last": Double(losses.last ?? .nan),
        ]
        if profile { fields["forward_profile_s"] = try forwardProfile(model, ids: ids, targets: targets, repeats: steps) }
        try Measure.report(fields)
    }

    /// Median per-section seconds of the forward pass with grad recording on (as in training).
    static func forwardProfile(_ model: LlamaStack, ids: [Int], targets: [Int], repeats: Int) throws -> [String: Double] {
        model.timer.enabled = true
        defer { model.timer.enabled = false }
        var runs: [[String: Double]] = []
        for _ in 0..<max(repeats, 1) {
            model.timer.reset()
            _ = try model.loss(ids: ids, targets: targets)
            runs.append(model.timer.totals)
        }
        var result: [String: Double] = [:]
        for label in runs[0].keys { result[label] = Measure.median(runs.map { $0[label] ?? 0 }) }
        return result
    }
}
