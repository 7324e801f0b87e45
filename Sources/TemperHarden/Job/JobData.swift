import Foundation
import TemperFormats
import TemperModels
import TemperText

/// The tensors of a job's data/ and noise/ folders (Formats/job.md), all little-endian
/// safetensors: token ids as I32, masks as U8, noise as F32. Rows are right-padded to the
/// longest example with the pad id; lengths say where the real tokens end.
enum JobData {
    /// data/paired.safetensors: harmful_ids, refusal_ids [N, T] I32, harmful_length,
    /// refusal_length [N] I32, prompt_length [N] I32 (the shared prompt, where LAT's
    /// completions start), and mask [N, T] U8 — the positions where the two sequences
    /// differ (`PairedExample.differingPositions`, the loss mask every paired loss uses).
    static func writePaired(_ examples: [PairedExample], padId: Int, to url: URL) throws {
        let n = examples.count
        let t = examples.map { max($0.harmful.count, $0.refusal.count) }.max() ?? 0
        let pad = Int32(truncatingIfNeeded: padId)
        var harmful = [Int32](repeating: pad, count: n * t), refusal = harmful
        var mask = [UInt8](repeating: 0, count: n * t)
        for (row, e) in examples.enumerated() {
            for (i, id) in e.harmful.enumerated() { harmful[row * t + i] = id }
            for (i, id) in e.refusal.enumerated() { refusal[row * t + i] = id }
            for i in e.differingPositions { mask[row * t + i] = 1 }
        }
        try write(url, [
            ("harmful_ids", .i32, [n, t], bytes(harmful)), ("harmful_length", .i32, [n], bytes(examples.map { Int32(clamping: $0.harmful.count) })),
            ("refusal_ids", .i32, [n, t], bytes(refusal)), ("refusal_length", .i32, [n], bytes(examples.map { Int32(clamping: $0.refusal.count) })),
            ("prompt_length", .i32, [n], bytes(examples.map { Int32(clamping: $0.promptLength) })),
            ("mask", .u8, [n, t], mask),
        ])
    }

    /// data/retain.safetensors (and an unlearn job's data/forget.safetensors): input_ids, labels [M, T] I32 (labels −100 off the response,
    /// as `Example.labels`), length [M] I32.
    static func writeRetain(_ examples: [Example], padId: Int, to url: URL) throws {
        let m = examples.count
        let t = examples.map(\.inputIds.count).max() ?? 0
        var ids = [Int32](repeating: Int32(truncatingIfNeeded: padId), count: m * t)
        var labels = [Int32](repeating: Example.ignoreIndex, count: m * t)
        for (row, e) in examples.enumerated() {
            for (i, id) in e.inputIds.enumerated() { ids[row * t + i] = id }
            for (i, l) in e.labels.enumerated() where i < t { labels[row * t + i] = l }
        }
        try write(url, [("input_ids", .i32, [m, t], bytes(ids)), ("labels", .i32, [m, t], bytes(labels)),
                        ("length", .i32, [m], bytes(examples.map { Int32(clamping: $0.inputIds.count) }))])
    }

    /// data/order.safetensors: `paired` [steps, batch] and `retain` [steps, retain batch] I32,
    /// the sampler's example indices of each step (−1 past the end of a short last batch).
    static func writeOrder(_ batches: HardenBatches, steps: Int, to url: URL) throws {
        var samplers: [(name: String, sampler: BatchSampler)] = [("paired", batches.sampler)]
        if let retain = batches.retain { samplers.append(("retain", retain.sampler)) }
        try writeOrder(samplers, steps: steps, to: url)
    }

    /// data/order.safetensors with one [steps, batch] I32 table per named sampler (unlearn
    /// jobs: `forget` and `retain`), in the order given.
    static func writeOrder(_ samplers: [(name: String, sampler: BatchSampler)], steps: Int, to url: URL) throws {
        func table(_ sampler: BatchSampler) -> [Int32] {
            var out = [Int32](repeating: -1, count: steps * sampler.batchSize)
            for s in 0..<steps {
                for (k, i) in sampler.batch(atStep: s).indices.enumerated() { out[s * sampler.batchSize + k] = Int32(truncatingIfNeeded: i) }
            }
            return out
        }
        let tensors: [(String, DType, [Int], [UInt8])] = samplers.map { ($0.name, .i32, [steps, $0.sampler.batchSize], bytes(table($0.sampler))) }
        try write(url, tensors)
    }

    /// noise/step-NNNNNN.safetensors: for each block l, `layer.l` [n, hidden] F32, the
    /// Gaussian sample RepNoise draws at that step (`GaussianNoise(seed: step seed)`, blocks in
    /// order, each [batch, length, hidden]) kept at the n masked positions of the padded batch
    /// in row-major order (every position with `allPositions`); elsewhere the loss zeroes it.
    static func writeNoise(_ batches: HardenBatches, settings: HardenTraining, layers: Int, hidden: Int, allPositions: Bool,
                           to folder: URL, log: (String) -> Void) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for s in 0..<settings.steps {
            let batch = try batches.pairedBatch(step: s)
            let positions = (0..<(batch.batchSize * batch.length)).filter { allPositions || batch.mask[$0] }
            let noise = GaussianNoise(seed: TrainingStep.seed(run: settings.seed, step: s))
            var tensors: [(String, DType, [Int], [UInt8])] = []
            for layer in 0..<layers {
                let sample = try noise.sample(layer: layer, shape: [batch.batchSize, batch.length, hidden])
                var kept = [Float](repeating: 0, count: positions.count * hidden)
                sample.withUnsafeBufferPointer { all in
                    for (k, p) in positions.enumerated() { for j in 0..<hidden { kept[k * hidden + j] = all[p * hidden + j] } }
                }
                tensors.append(("layer.\(layer)", .f32, [positions.count, hidden], bytes(kept)))
            }
            try write(folder.appendingPathComponent(String(format: "step-%06d.safetensors", s)), tensors)
            if (s + 1) % 100 == 0 { log("noise: \(s + 1)/\(settings.steps) steps") }
        }
    }

    static func bytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        var out = [UInt8](); out.reserveCapacity(values.count * MemoryLayout<T>.size)
        for v in values { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    static func bytes(_ values: [Float]) -> [UInt8] { bytes(values.map(\.bitPattern)) }

    static func write(_ url: URL, _ tensors: [(name: String, dtype: DType, shape: [Int], bytes: [UInt8])]) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let byName = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.bytes) })
        try SafetensorsWriter.write(to: url, tensors: tensors.map { TensorSpec(name: $0.name, dtype: $0.dtype, shape: $0.shape) }) { spec in
            byName[spec.name] ?? []
        }
    }
}
