import TemperModels
import TemperTensor
import TemperText
import TemperHarden

/// How a prompt's residual stream becomes one feature vector.
public enum ProbePooling: String, Sendable, Codable, CaseIterable {
    /// The residual at the last prompt token (the position that predicts the first answer token).
    case lastPromptToken = "last-prompt-token"
    /// The mean over the prompt's tokens (bos excluded).
    case meanPromptTokens = "mean-prompt-tokens"
}

/// Settings of the harmful-vs-harmless linear probe.
public struct ProbeConfig: Sendable, Equatable, Codable {
    public var pooling: ProbePooling
    /// Fraction of each class used for training; the rest is the held-out test split.
    public var trainFraction: Double
    public var steps: Int
    public var learningRate: Double
    public var l2: Double
    /// Seed of the class shuffles (and so of the train/test split).
    public var seed: UInt64

    public init(pooling: ProbePooling = .lastPromptToken, trainFraction: Double = 0.7, steps: Int = 300,
                learningRate: Double = 0.5, l2: Double = 1e-2, seed: UInt64 = 0) {
        self.pooling = pooling
        self.trainFraction = trainFraction; self.steps = steps; self.learningRate = learningRate; self.l2 = l2; self.seed = seed
    }
}

/// Probe accuracy at one residual point.
public struct ProbePoint: Sendable, Equatable, Codable {
    /// Residual index: 0 the embedding output, l + 1 after block l.
    public var residualIndex: Int
    public var trainAccuracy: Double
    public var testAccuracy: Double
}

/// The labelled prompts, split once so every model is probed on the same examples: the
/// harmful sets' prompts (positive class) against as many harmless prompts (negative).
public struct ProbeDataset: Sendable, Equatable {
    public var trainPrompts: [String], trainLabels: [Bool]
    public var testPrompts: [String], testLabels: [Bool]

    public init(harmful: [RowSet], harmless: RowSet, config: ProbeConfig) throws {
        guard config.trainFraction > 0, config.trainFraction < 1, config.steps > 0, config.learningRate > 0, config.l2 >= 0 else {
            throw AuditError.invalidConfig("the probe needs 0 < train fraction < 1, positive steps and learning rate, l2 ≥ 0")
        }
        var harmful = harmful.flatMap(\.rows).map(\.prompt)
        var harmless = harmless.rows.map(\.prompt)
        var rng = Xoshiro256StarStar(seed: config.seed, stream: 0x9B0BE)
        rng.shuffle(&harmful)
        rng.shuffle(&harmless)
        let perClass = min(harmful.count, harmless.count)
        let trainCount = Int((Double(perClass) * config.trainFraction).rounded())
        guard trainCount >= 2, perClass - trainCount >= 2 else {
            throw AuditError.invalidConfig("the probe has \(perClass) prompts per class: too few for a train and a test split")
        }
        trainPrompts = Array(harmful.prefix(trainCount)) + Array(harmless.prefix(trainCount))
        trainLabels = [Bool](repeating: true, count: trainCount) + [Bool](repeating: false, count: trainCount)
        testPrompts = Array(harmful[trainCount..<perClass]) + Array(harmless[trainCount..<perClass])
        testLabels = [Bool](repeating: true, count: perClass - trainCount) + [Bool](repeating: false, count: perClass - trainCount)
    }
}

public enum LinearProbe {
    /// Trains one probe per residual point 0...L of `model` and reports its accuracies.
    public static func run(model: any CausalLanguageModel, encoding: TextEncoding, data: ProbeDataset, config: ProbeConfig) throws -> [ProbePoint] {
        let train = try features(model: model, encoding: encoding, prompts: data.trainPrompts, pooling: config.pooling)
        let test = try features(model: model, encoding: encoding, prompts: data.testPrompts, pooling: config.pooling)
        return try (0..<train.count).map { point in
            let probe = try LogisticRegression.fit(features: train[point], labels: data.trainLabels, steps: config.steps,
                                                   learningRate: config.learningRate, l2: config.l2)
            return ProbePoint(residualIndex: point, trainAccuracy: probe.accuracy(features: train[point], labels: data.trainLabels),
                              testAccuracy: probe.accuracy(features: test[point], labels: data.testLabels))
        }
    }

    /// Pooled residual features, [point][prompt][hidden], of the prompts as generation sees
    /// them (the template's text before the answer, with bos where the tokenizer has one).
    public static func features(model: any CausalLanguageModel, encoding: TextEncoding, prompts: [String],
                                pooling: ProbePooling, batchSize: Int = 32) throws -> [[[Double]]] {
        let pad = encoding.padId
        let sequences = try prompts.map { try encoding.generationPrompt($0) }
        let first = encoding.promptStart
        let hidden = model.hiddenSize
        var out = [[[Double]]](repeating: [], count: model.layerCount + 1)
        try noGrad {
            for start in stride(from: 0, to: sequences.count, by: batchSize) {
                let rows = Array(sequences[start..<min(start + batchSize, sequences.count)])
                let width = rows.map(\.count).max() ?? 1
                var ids: [Int] = [], mask: [Bool] = []
                for r in rows {
                    ids += r + [Int](repeating: pad, count: width - r.count)
                    mask += [Bool](repeating: true, count: r.count) + [Bool](repeating: false, count: width - r.count)
                }
                let batch = try TokenBatch(ids: ids, batchSize: rows.count, attentionMask: mask)
                let output = try model.forward(batch, options: ForwardOptions(captureResiduals: true, logits: .none))
                guard output.residuals.count == out.count else {
                    throw AuditError.invalidConfig("the model returned \(output.residuals.count) residual points, expected \(out.count)")
                }
                for (point, h) in output.residuals.enumerated() {
                    try h.withUnsafeBufferPointer { values in
                        guard values.count == rows.count * width * hidden else {
                            throw AuditError.invalidConfig("residual point \(point) has shape \(h.shape), expected [\(rows.count), \(width), \(hidden)]")
                        }
                        for (row, r) in rows.enumerated() {
                            // Positions first..<count are the prompt (0 is bos when there is one).
                            let positions = pooling == .lastPromptToken ? (r.count - 1)..<r.count : min(first, r.count - 1)..<r.count
                            var v = [Double](repeating: 0, count: hidden)
                            for t in positions {
                                let base = (row * width + t) * hidden
                                for j in 0..<hidden { v[j] += Double(values[base + j]) }
                            }
                            let n = Double(positions.count)
                            out[point].append(v.map { $0 / n })
                        }
                    }
                }
            }
        }
        return out
    }
}
