/// A padded batch, row-major: element (row, position) is at `row * sequenceLength + position`.
/// Padding is on the right: pad id in `inputIds`, -100 in `labels`, 0 in `attentionMask`.
public struct Batch: Sendable, Equatable {
    public let batchSize: Int
    public let sequenceLength: Int
    public var inputIds: [Int32]
    public var labels: [Int32]
    public var attentionMask: [Int32]
    /// Which examples (indices into the epoch's example list) the rows hold.
    public var exampleIndices: [Int]

    /// The shape `[batchSize, sequenceLength]`.
    public var shape: [Int] { [batchSize, sequenceLength] }

    public func inputIds(row: Int) -> ArraySlice<Int32> { inputIds[(row * sequenceLength)..<((row + 1) * sequenceLength)] }
    public func labels(row: Int) -> ArraySlice<Int32> { labels[(row * sequenceLength)..<((row + 1) * sequenceLength)] }
    public func attentionMask(row: Int) -> ArraySlice<Int32> { attentionMask[(row * sequenceLength)..<((row + 1) * sequenceLength)] }

    /// Pads `examples` to the longest one, or to `fixedLength` when given.
    public init(examples: [Example], indices: [Int], padId: Int32, fixedLength: Int? = nil) throws {
        guard !examples.isEmpty else { throw TextError.invalidArgument(name: "examples", reason: "a batch needs at least one example") }
        guard indices.count == examples.count else {
            throw TextError.invalidArgument(name: "indices", reason: "\(indices.count) indices for \(examples.count) examples")
        }
        let longest = examples.map(\.inputIds.count).max() ?? 0
        let length = fixedLength ?? longest
        guard longest <= length else {
            throw TextError.invalidArgument(name: "fixedLength", reason: "an example has \(longest) tokens, more than \(length)")
        }
        let (total, overflow) = examples.count.multipliedReportingOverflow(by: length)
        guard !overflow else { throw TextError.invalidArgument(name: "batch", reason: "\(examples.count) × \(length) overflows") }
        var ids = [Int32](repeating: padId, count: total)
        var labels = [Int32](repeating: Example.ignoreIndex, count: total)
        var mask = [Int32](repeating: 0, count: total)
        for (row, example) in examples.enumerated() {
            guard example.labels.count == example.inputIds.count else {
                throw TextError.invalidArgument(name: "example \(indices[row])", reason: "labels and ids differ in length")
            }
            let base = row * length
            for (i, id) in example.inputIds.enumerated() {
                ids[base + i] = id
                labels[base + i] = example.labels[i]
                mask[base + i] = 1
            }
        }
        batchSize = examples.count
        sequenceLength = length
        inputIds = ids
        self.labels = labels
        attentionMask = mask
        exampleIndices = indices
    }
}

/// Seeded, shuffled batches of example indices. Epoch e's order depends only on (seed, e),
/// so a run resumed at any step sees the same batches.
public struct BatchSampler: Sendable {
    public let count: Int
    public let batchSize: Int
    public let seed: UInt64
    public let shuffle: Bool
    public let dropLast: Bool

    public init(count: Int, batchSize: Int, seed: UInt64, shuffle: Bool = true, dropLast: Bool = false) throws {
        guard count > 0 else { throw TextError.invalidArgument(name: "count", reason: "nothing to sample") }
        guard batchSize > 0 else { throw TextError.invalidArgument(name: "batchSize", reason: "must be positive, got \(batchSize)") }
        guard !dropLast || batchSize <= count else {
            throw TextError.invalidArgument(name: "batchSize", reason: "\(batchSize) exceeds the \(count) examples with dropLast")
        }
        self.count = count
        self.batchSize = batchSize
        self.seed = seed
        self.shuffle = shuffle
        self.dropLast = dropLast
    }

    public var batchesPerEpoch: Int { dropLast ? count / batchSize : (count + batchSize - 1) / batchSize }

    /// The example order of one epoch.
    public func order(epoch: Int) -> [Int] {
        var indices = Array(0..<count)
        if shuffle {
            var rng = Xoshiro256StarStar(seed: seed, stream: UInt64(truncatingIfNeeded: epoch))
            rng.shuffle(&indices)
        }
        return indices
    }

    public func batches(epoch: Int) -> [[Int]] {
        let indices = order(epoch: epoch)
        return (0..<batchesPerEpoch).map { b in
            Array(indices[(b * batchSize)..<min((b + 1) * batchSize, count)])
        }
    }

    /// The padded batch of global step `step`, drawn from `examples` (one per index).
    public func makeBatch(step: Int, examples: [Example], padId: Int32, fixedLength: Int? = nil) throws -> Batch {
        guard examples.count == count else {
            throw TextError.invalidArgument(name: "examples", reason: "sampler was built for \(count) examples, got \(examples.count)")
        }
        let indices = batch(atStep: step).indices
        return try Batch(examples: indices.map { examples[$0] }, indices: indices, padId: padId, fixedLength: fixedLength)
    }

    /// The indices of global step `step` (0-based), counting across epochs.
    public func batch(atStep step: Int) -> (epoch: Int, indices: [Int]) {
        let epoch = max(step, 0) / batchesPerEpoch
        let b = max(step, 0) % batchesPerEpoch
        let indices = order(epoch: epoch)
        return (epoch, Array(indices[(b * batchSize)..<min((b + 1) * batchSize, count)]))
    }
}
