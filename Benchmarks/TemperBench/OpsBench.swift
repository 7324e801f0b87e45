import Foundation
import TemperTensor

/// Where a training step's time goes, op by op: each op of `LlamaStack` timed alone at the
/// config's shapes, forward and backward (the backward of one recorded op, via
/// `gradients(of:wrt:seed:)`), multiplied by how often one step runs it. The sum is compared
/// with the measured step; the rest is autograd bookkeeping, allocation and page faults.
enum OpsBench {
    struct Probe {
        let name: String
        let perStep: Int
        let inputs: [Tensor]
        let op: ([Tensor]) throws -> Tensor
    }

    static func run(_ options: BenchArguments) throws {
        let c = try LlamaBenchConfig.named(options.string("config", default: "a"))
        let repeats = try options.int("repeats", default: 7)
        var rng = TensorRNG(seed: 7)
        func x(_ shape: [Int]) throws -> Tensor { try Tensor.randn(shape, std: 1, rng: &rng, requiresGrad: true) }
        func w(_ shape: [Int]) throws -> Tensor { try Tensor.randn(shape, std: 0.02, rng: &rng, requiresGrad: true) }
        let (b, t, h, l) = (c.batch, c.seq, c.hidden, c.layers)
        let rope = try RoPETable(rotaryDim: c.headDim, theta: 10_000, positions: Array(0..<t))
        let ids = (0..<c.tokens).map { _ in rng.nextInt(below: c.vocab) }
        let kv = c.kvHeads * c.headDim
        let probes: [Probe] = [
            Probe(name: "embedding", perStep: 1, inputs: [try w([c.vocab, h])]) { try embedding($0[0], ids: ids, shape: [b, t]) },
            Probe(name: "rmsnorm [B,T,H]", perStep: 2 * l + 1, inputs: [try x([b, t, h]), try Tensor.ones([h], requiresGrad: true)]) {
                try $0[0].rmsNorm(weight: $0[1], eps: 1e-5)
            },
            Probe(name: "linear q,o H→H", perStep: 2 * l, inputs: [try x([b, t, h]), try w([h, h])]) { try linear($0[0], weight: $0[1]) },
            Probe(name: "linear k,v H→kv", perStep: 2 * l, inputs: [try x([b, t, h]), try w([kv, h])]) { try linear($0[0], weight: $0[1]) },
            Probe(name: "linear gate,up H→I", perStep: 2 * l, inputs: [try x([b, t, h]), try w([c.intermediate, h])]) {
                try linear($0[0], weight: $0[1])
            },
            Probe(name: "linear down I→H", perStep: l, inputs: [try x([b, t, c.intermediate]), try w([h, c.intermediate])]) {
                try linear($0[0], weight: $0[1])
            },
            Probe(name: "lm_head H→V", perStep: 1, inputs: [try x([b, t, h]), try w([c.vocab, h])]) { try linear($0[0], weight: $0[1]) },
            Probe(name: "rope q", perStep: l, inputs: [try x([b, t, c.heads, c.headDim])]) { try $0[0].rope(rope) },
            Probe(name: "rope k", perStep: l, inputs: [try x([b, t, c.kvHeads, c.headDim])]) { try $0[0].rope(rope) },
            Probe(name: "attention (causal, GQA)", perStep: l,
                  inputs: [try x([b, t, c.heads, c.headDim]), try x([b, t, c.kvHeads, c.headDim]), try x([b, t, c.kvHeads, c.headDim])]) {
                try scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], causal: true)
            },
            Probe(name: "silu [B,T,I]", perStep: l, inputs: [try x([b, t, c.intermediate])]) { $0[0].silu() },
            Probe(name: "mul [B,T,I]", perStep: l, inputs: [try x([b, t, c.intermediate]), try x([b, t, c.intermediate])]) { try $0[0] * $0[1] },
            // 2 residual adds per layer in the forward pass; the backward pass adds 5 more per
            // layer where one activation feeds several ops (h → q,k,v; m → gate,up; x → norm,+).
            Probe(name: "add [B,T,H]", perStep: 2 * l, inputs: [try x([b, t, h]), try x([b, t, h])]) { try $0[0] + $0[1] },
            Probe(name: "cross-entropy [BT,V]", perStep: 1, inputs: [try x([c.tokens, c.vocab])]) {
                try crossEntropy($0[0], targets: ids)
            },
        ]
        var rows: [[String: Any]] = []
        var total = 0.0
        for probe in probes {
            let faultsBefore = Measure.minorFaults()
            let forward = Measure.median(try Measure.samples(repeats: repeats) { _ = try noGrad { try probe.op(probe.inputs) } })
            let faults = Double(Measure.minorFaults() - faultsBefore) / Double(repeats + 1)
            let output = try probe.op(probe.inputs)
            let seed = try Tensor.randn(output.shape, rng: &rng)
            let backward = Measure.median(try Measure.samples(repeats: repeats) {
                _ = try gradients(of: output, wrt: probe.inputs, seed: output.count == 1 ? nil : seed)
            })
            var perStep = Double(probe.perStep) * (forward + backward)
            if probe.name.hasPrefix("add") { perStep += Double(5 * l) * forward }  // backward accumulation adds
            total += perStep
            rows.append(["op": probe.name, "forward_ms": forward * 1e3, "backward_ms": backward * 1e3, "per_step": probe.perStep,
                         "step_share_ms": perStep * 1e3, "forward_page_faults": faults])
        }
        let optimizer = try adamWTime(c, repeats: repeats)
        total += optimizer
        rows.append(["op": "AdamW step (all parameters)", "forward_ms": 0.0, "backward_ms": 0.0, "per_step": 1,
                     "step_share_ms": optimizer * 1e3])
        for row in rows {
            let name = (row["op"] as? String ?? "").padding(toLength: 28, withPad: " ", startingAt: 0)
            Measure.note(name + String(format: " fwd %8.3f ms  bwd %8.3f ms  ×%-3d → %8.2f ms/step", row["forward_ms"] as? Double ?? 0, row["backward_ms"] as? Double ?? 0, row["per_step"] as? Int ?? 0,
                                row["step_share_ms"] as? Double ?? 0) + String(format: "  (%.0f page faults per forward)", row["forward_page_faults"] as? Double ?? 0))
        }
        Measure.note(String(format: "sum of ops: %.1f ms per step", total * 1e3))
        try Measure.report(["benchmark": "ops_\(c.name)", "config": c.summary, "ops": rows, "sum_of_ops_ms": total * 1e3])
    }

    /// One AdamW step over a model's worth of parameters with gradients set.
    static func adamWTime(_ c: LlamaBenchConfig, repeats: Int) throws -> Double {
        var rng = TensorRNG(seed: 3)
        let model = try LlamaStack(c, rng: &rng)
        for p in model.parameters { p.grad = try Tensor.randn(p.shape, std: 0.01, rng: &rng) }
        let optimizer = AdamW(parameters: model.parameters, learningRate: 1e-4, weightDecay: 0.01)
        return Measure.median(try Measure.samples(repeats: repeats) { try optimizer.step() })
    }
}
