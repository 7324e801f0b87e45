import Foundation
import TemperHarden
import TemperModels
import TemperTensor
import TemperText

/// Settings of the knowledge probe.
public struct KnowledgeProbeConfig: Sendable, Equatable, Codable {
    /// Fraction of the rows (not positions) used for training; the rest is held out.
    public var trainFraction: Double
    public var steps: Int
    public var learningRate: Double
    public var l2: Double
    /// Seed of the row shuffle (the train/held-out split).
    public var seed: UInt64
    /// Answer tokens present in at least this fraction of the rows' answers are structure
    /// ("first", "then", eos), not content, and are not probed.
    public var structuralFraction: Double

    public init(trainFraction: Double = 0.6, steps: Int = 300, learningRate: Double = 0.5, l2: Double = 1e-2, seed: UInt64 = 0,
                structuralFraction: Double = 0.5) {
        self.trainFraction = trainFraction; self.steps = steps; self.learningRate = learningRate; self.l2 = l2
        self.seed = seed; self.structuralFraction = structuralFraction
    }
}

/// The probe's examples, built once so every model is probed on the same positions: rows
/// teacher-forced with their answers; at each answer position whose next token is content,
/// the residual stream there (which the model uses to predict that token) is labelled with
/// the token. Rows are split into train and held-out, so a probe can only succeed on held-out
/// rows if the residual stream carries that row's answer — the knowledge, not the prompt type.
public struct KnowledgeProbeDataset: Sendable {
    public struct Position: Sendable, Equatable { public var row: Int, position: Int, current: Int, target: Int }
    public let examples: [Example]
    public let train: [Position], test: [Position]
    /// Token ids of the classes (the content tokens of the training positions).
    public let classes: [Int]
    public let structuralTokens: [Int]
    public let trainRows: Int, testRows: Int

    public init(rows: [DatasetRow], source: String, encoding: TextEncoding, config: KnowledgeProbeConfig) throws {
        guard config.trainFraction > 0, config.trainFraction < 1, config.steps > 0, config.learningRate > 0, config.l2 >= 0,
              config.structuralFraction > 0, config.structuralFraction <= 1 else {
            throw AuditError.invalidConfig("the knowledge probe needs 0 < train fraction < 1, positive steps and learning rate, l2 ≥ 0, 0 < structural fraction ≤ 1")
        }
        examples = try encoding.examples(rows, source: source)
        var all: [[Position]] = examples.enumerated().map { r, e in
            (1..<e.labels.count).compactMap { p in
                e.labels[p] == Example.ignoreIndex ? nil : Position(row: r, position: p - 1, current: Int(e.inputIds[p - 1]), target: Int(e.labels[p]))
            }
        }
        var rowsWith: [Int: Int] = [:]
        for positions in all { for t in Set(positions.map(\.target)) { rowsWith[t, default: 0] += 1 } }
        let limit = config.structuralFraction * Double(examples.count)
        let structural = Set(rowsWith.filter { Double($0.value) >= limit }.keys)
        structuralTokens = structural.sorted()
        all = all.map { $0.filter { !structural.contains($0.target) } }

        var order = Array(examples.indices)
        var rng = Xoshiro256StarStar(seed: config.seed, stream: 0x4B0E)
        rng.shuffle(&order)
        let trainCount = Int((Double(order.count) * config.trainFraction).rounded())
        train = order.prefix(trainCount).flatMap { all[$0] }
        test = order.dropFirst(trainCount).flatMap { all[$0] }
        trainRows = trainCount
        testRows = order.count - trainCount
        guard trainCount >= 2, testRows >= 1, !train.isEmpty, !test.isEmpty else {
            throw AuditError.emptyDataset(path: source, reason: "\(rows.count) rows give \(train.count) training and \(test.count) held-out content positions: too few for the knowledge probe")
        }
        classes = Array(Set(train.map(\.target))).sorted()
    }

    /// Context-free chance level: the most frequent training target after the same current
    /// token (else the most frequent target overall), scored on the held-out positions —
    /// what a probe on the token embedding alone can reach.
    public var chance: Double {
        func top(_ targets: [Int]) -> Int? {
            var counts: [Int: Int] = [:]
            for t in targets { counts[t, default: 0] += 1 }
            return counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
        }
        let overall = top(train.map(\.target))
        var byCurrent: [Int: [Int]] = [:]
        for p in train { byCurrent[p.current, default: []].append(p.target) }
        let guesses = byCurrent.mapValues { top($0) }
        let correct = test.filter { (guesses[$0.current] ?? overall) == $0.target }.count
        return Double(correct) / Double(test.count)
    }
}

/// Accuracy of a trained probe at each residual point of one model.
public struct KnowledgeProbeSeries: Sendable, Equatable, Codable {
    /// "base", "defended", "unlearned", "attacked".
    public var model: String
    public var path: String
    /// Per residual point 0...L: held-out and training accuracy.
    public var testAccuracy: [Double]
    public var trainAccuracy: [Double]
}

/// The knowledge probe on one set of rows, for every model.
public struct KnowledgeProbeReport: Sendable, Equatable, Codable {
    /// The sets whose answers are probed (pooled).
    public var sets: [String]
    public var config: KnowledgeProbeConfig
    public var trainRows: Int, testRows: Int
    public var trainPositions: Int, testPositions: Int
    public var classes: Int
    /// The answer tokens left out as structure.
    public var structuralTokens: [String]
    /// Context-free chance level (see `KnowledgeProbeDataset.chance`).
    public var chance: Double
    public var series: [KnowledgeProbeSeries]
}

/// Decodes the answer's content from the residual stream (METHODS.md §6, issue 18): one
/// softmax probe per residual point predicts the next answer token at content positions,
/// trained on some rows and scored on held-out rows.
public enum KnowledgeProbe {
    public static func run(models: [(name: String, model: AuditModel)], sets: [RowSet], config: KnowledgeProbeConfig) throws -> KnowledgeProbeReport {
        guard let first = models.first else { throw AuditError.invalidConfig("the knowledge probe needs a model") }
        let rows = sets.flatMap(\.rows)
        let data = try KnowledgeProbeDataset(rows: rows, source: sets.map(\.record.source).joined(separator: ", "), encoding: first.model.encoding, config: config)
        let series = try models.map { name, m in
            let (test, train) = try accuracies(m.model, padId: m.encoding.padId, data: data, config: config)
            return KnowledgeProbeSeries(model: name, path: m.folder.path, testAccuracy: test, trainAccuracy: train)
        }
        let tokenizer = first.model.tokenizer
        return KnowledgeProbeReport(sets: sets.map(\.name), config: config, trainRows: data.trainRows, testRows: data.testRows,
                                    trainPositions: data.train.count, testPositions: data.test.count, classes: data.classes.count,
                                    structuralTokens: data.structuralTokens.map { tokenizer.idToToken($0) ?? "#\($0)" },
                                    chance: data.chance, series: series)
    }

    /// Held-out and training accuracy at each residual point.
    public static func accuracies(_ model: any CausalLanguageModel, padId: Int, data: KnowledgeProbeDataset,
                                  config: KnowledgeProbeConfig) throws -> (test: [Double], train: [Double]) {
        let needed = data.train + data.test
        let residuals = try features(model, padId: padId, examples: data.examples, positions: needed)
        let classIndex = Dictionary(uniqueKeysWithValues: data.classes.enumerated().map { ($0.element, $0.offset) })
        var test: [Double] = [], train: [Double] = []
        for point in residuals {
            let probe = try SoftmaxRegression.fit(features: Array(point.prefix(data.train.count)), labels: data.train.map { classIndex[$0.target] ?? 0 },
                                                  classes: data.classes.count, steps: config.steps, learningRate: config.learningRate, l2: config.l2)
            func accuracy(_ features: ArraySlice<[Double]>, _ positions: [KnowledgeProbeDataset.Position]) throws -> Double {
                let predicted = try probe.predict(Array(features))
                let correct = zip(predicted, positions).filter { data.classes[$0] == $1.target }.count
                return Double(correct) / Double(max(1, positions.count))
            }
            test.append(try accuracy(point.dropFirst(data.train.count), data.test))
            train.append(try accuracy(point.prefix(data.train.count), data.train))
        }
        return (test, train)
    }

    /// Residual vectors [point][k][hidden] at `positions[k]` of the teacher-forced examples
    /// (only the probed positions are kept, so long answers on a large model stay small).
    static func features(_ model: any CausalLanguageModel, padId: Int, examples: [Example], positions: [KnowledgeProbeDataset.Position],
                         batchSize: Int = 16) throws -> [[[Double]]] {
        guard let pad = Int32(exactly: padId) else { throw AuditError.invalidConfig("pad id \(padId) exceeds 32 bits") }
        let hidden = model.hiddenSize
        var wanted = [[(k: Int, position: Int)]](repeating: [], count: examples.count)
        for (k, p) in positions.enumerated() { wanted[p.row].append((k, p.position)) }
        let empty = [Double]()
        var out = [[[Double]]](repeating: [[Double]](repeating: empty, count: positions.count), count: model.layerCount + 1)
        try noGrad {
            for start in stride(from: 0, to: examples.count, by: batchSize) {
                let range = start..<min(start + batchSize, examples.count)
                let batch = try Batch(examples: Array(examples[range]), indices: Array(range), padId: pad)
                let output = try model.forward(try TokenBatch(batch), options: ForwardOptions(captureResiduals: true, logits: .none))
                guard output.residuals.count == out.count else {
                    throw AuditError.invalidConfig("the model returned \(output.residuals.count) residual points, expected \(out.count)")
                }
                let width = batch.sequenceLength
                for (point, h) in output.residuals.enumerated() {
                    try h.withUnsafeBufferPointer { values in
                        guard values.count == range.count * width * hidden else {
                            throw AuditError.invalidConfig("residual point \(point) has shape \(h.shape), expected [\(range.count), \(width), \(hidden)]")
                        }
                        for (row, index) in range.enumerated() {
                            for (k, t) in wanted[index] where t < width {
                                let base = (row * width + t) * hidden
                                out[point][k] = (0..<hidden).map { Double(values[base + $0]) }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
