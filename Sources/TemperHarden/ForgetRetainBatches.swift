import Foundation
import TemperModels
import TemperText

/// The rows a forget/retain transform (unlearning) trains on: the rows to forget and,
/// optionally, the rows whose behaviour must stay.
public struct ForgetRetainData: Sendable, Equatable {
    public var forget: RowSet
    public var retain: RowSet?
    /// Rows (same prompt and response) that appear in both sets: they are pushed away and
    /// held at once, so the caller warns and the result reports the count.
    public let overlap: Int

    public init(forget: RowSet, retain: RowSet?) throws {
        guard !forget.rows.isEmpty else { throw HardenError.emptyData(source: forget.record.source, reason: "no rows to forget") }
        if let retain, retain.rows.isEmpty { throw HardenError.emptyData(source: retain.record.source, reason: "no rows to retain") }
        self.forget = forget.role("forget")
        self.retain = retain?.role("retain")
        let kept = Set((retain?.rows ?? []).map { [$0.prompt, $0.response] })
        overlap = forget.rows.filter { kept.contains([$0.prompt, $0.response]) }.count
    }

    /// What provenance records.
    public var records: [DataRecord] { [forget.record] + (retain.map { [$0.record] } ?? []) }
}

/// The seeded batches of a forget/retain run, step by step: forget rows with their sampler,
/// retain rows with theirs (seed offset as `HardenBatches` offsets its retain order).
public struct ForgetRetainBatches {
    public let forget: [Example]
    public let forgetSampler: BatchSampler
    public let retain: (examples: [Example], sampler: BatchSampler)?
    public let padId: Int32

    public init(encoding: TextEncoding, data: ForgetRetainData, settings: HardenTraining, needsRetain: Bool) throws {
        guard let pad = Int32(exactly: encoding.padId) else {
            throw HardenError.invalidSetting(name: "pad id", value: "\(encoding.padId)", rule: "must fit in 32 bits")
        }
        padId = pad
        forget = try encoding.examples(data.forget)
        forgetSampler = try BatchSampler(count: forget.count, batchSize: min(settings.batchSize, forget.count), seed: settings.seed)
        guard needsRetain else { retain = nil; return }
        guard let rows = data.retain else {
            throw HardenError.invalidSetting(name: "retain", value: "none", rule: "this method needs retain rows (--retain FILE or --world W)")
        }
        retain = try HardenBatches.retainRows(rows, encoding: encoding, settings: settings)
    }

    /// The forget batch of 0-based step `step`.
    public func forgetBatch(step: Int) throws -> Batch {
        try forgetSampler.makeBatch(step: step, examples: forget, padId: padId)
    }

    /// The retain batch of step `step` (nil when the method takes no retain term).
    public func retainBatch(step: Int) throws -> Batch? {
        guard let retain else { return nil }
        return try retain.sampler.makeBatch(step: step, examples: retain.examples, padId: padId)
    }
}
