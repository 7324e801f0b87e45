import Dispatch
import Foundation

/// Splits loops over large tensors across the machine's cores. Below a size threshold the
/// loop runs inline: dispatching costs a few microseconds, more than small loops take.
enum Parallel {
    /// Worker count: TEMPER_NUM_THREADS when set, else the active processor count.
    static let cores: Int = {
        if let value = ProcessInfo.processInfo.environment["TEMPER_NUM_THREADS"], let n = Int(value), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Elements below which an elementwise loop is not worth splitting (scaled by `cost`).
    static let grain = 1 << 16

    /// Calls `body` on disjoint ranges covering `0..<count`. `cost` is the relative work per
    /// element (1 for an add, ~10 for a transcendental) and lowers the split threshold.
    @inline(__always)
    static func chunks(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
        let pieces = min(cores, count * max(cost, 1) / grain)
        if pieces <= 1 {
            body(0..<count)
            return
        }
        let step = (count + pieces - 1) / pieces
        perform(pieces) { piece in
            let start = piece * step
            let end = min(count, start + step)
            if start < end { body(start..<end) }
        }
    }

    /// Like `chunks`, for loops over `rows` independent rows of `rowCost` work each.
    @inline(__always)
    static func rows(_ rows: Int, rowCost: Int, _ body: (Range<Int>) -> Void) {
        let total = rows.multipliedReportingOverflow(by: max(rowCost, 1))
        let pieces = total.overflow ? cores : min(cores, rows, total.partialValue / grain)
        if pieces <= 1 {
            body(0..<rows)
            return
        }
        let step = (rows + pieces - 1) / pieces
        perform(pieces) { piece in
            let start = piece * step
            let end = min(rows, start + step)
            if start < end { body(start..<end) }
        }
    }

    /// Runs `body(0..<iterations)` concurrently. The kernels' closures capture raw buffer
    /// pointers and write disjoint ranges of them (each iteration gets its own range), which
    /// is what makes handing them to Dispatch's `@Sendable` parameter sound.
    static func perform(_ iterations: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { escaping in
            let box = UncheckedSendableBox(escaping)
            DispatchQueue.concurrentPerform(iterations: iterations) { box.value($0) }
        }
    }
}

/// See `Parallel.perform`: the only `@unchecked Sendable` in TemperTensor.
private struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
