import Foundation
import TemperModels
import TemperText

/// The batches of a hardening run, step by step: the paired (harmful, refusal) examples with
/// their seeded sampler, and the harmless retain rows with theirs. The trainer and the job
/// exporter both draw from this one definition, so a job's batch order is the trainer's.
public struct HardenBatches {
    public let paired: [PairedExample]
    public let sampler: BatchSampler
    /// Harmless rows and their sampler when the retain term is on (retain weight > 0).
    public let retain: (examples: [Example], sampler: BatchSampler)?
    public let padId: Int

    /// The retain sampler's seed is the run's seed offset by this, so the two orders differ.
    public static let retainSeedOffset: UInt64 = 0x5E7A_1B

    public init(encoding: TextEncoding, data: HardenData, settings: HardenTraining) throws {
        padId = encoding.padId
        guard Int32(exactly: padId) != nil else { throw HardenError.invalidSetting(name: "pad id", value: "\(padId)", rule: "must fit in 32 bits") }
        paired = try PairedData.examples(data.harmful, encoding: encoding)
        sampler = try BatchSampler(count: paired.count, batchSize: min(settings.batchSize, paired.count), seed: settings.seed)
        guard settings.retainWeight > 0 else { retain = nil; return }
        guard let rows = data.retain else {
            throw HardenError.invalidSetting(name: "retain weight", value: "\(settings.retainWeight)",
                                             rule: "needs retain rows (--retain FILE), or set it to 0")
        }
        retain = try Self.retainRows(rows, encoding: encoding, settings: settings)
    }

    /// Retain rows and their seeded sampler (the run's seed offset by `retainSeedOffset`):
    /// the one retain order of paired and forget/retain runs.
    static func retainRows(_ rows: RowSet, encoding: TextEncoding, settings: HardenTraining) throws -> (examples: [Example], sampler: BatchSampler) {
        let examples = try encoding.examples(rows)
        return (examples, try BatchSampler(count: examples.count, batchSize: min(settings.retainBatchSize, examples.count),
                                           seed: settings.seed &+ retainSeedOffset))
    }

    /// The paired batch of 0-based step `step`.
    public func pairedBatch(step: Int) throws -> PairedBatch {
        try sampler.makePairedBatch(step: step, examples: paired, padId: padId)
    }

    /// The retain batch of step `step` (nil without the retain term).
    public func retainBatch(step: Int) throws -> Batch? {
        guard let retain, let pad = Int32(exactly: padId) else { return nil }
        return try retain.sampler.makeBatch(step: step, examples: retain.examples, padId: pad)
    }
}
