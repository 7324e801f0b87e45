import CWorkerPool
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
    /// is what makes handing them to other threads sound.
    ///
    /// The work goes to CWorkerPool's spinning workers (a new region starts in under a
    /// microsecond; Dispatch took tens, a few hundred times per training step or decoded
    /// token). A loop nested inside a pool job runs inline (every core is busy already);
    /// when another thread holds the pool, Dispatch runs the loop as before.
    static func perform(_ iterations: Int, _ body: (Int) -> Void) {
        if iterations <= 0 { return }
        let status = !usePool ? -2 : withoutActuallyEscaping(body) { escaping -> Int32 in
            var closure = escaping
            return withUnsafeMutablePointer(to: &closure) { pointer in
                temper_pool_run(iterations, runPoolIteration, UnsafeMutableRawPointer(pointer), Int32(clamping: cores))
            }
        }
        switch status {
        case 0:
            return
        case -1:
            for index in 0..<iterations { body(index) }
        default:
            withoutActuallyEscaping(body) { escaping in
                let box = UncheckedSendableBox(escaping)
                DispatchQueue.concurrentPerform(iterations: iterations) { box.value($0) }
            }
        }
    }

    /// TEMPER_POOL=dispatch runs every loop through Dispatch instead (for A/B measurements);
    /// TEMPER_SPIN_US sets how long idle workers spin before they sleep (default 200 µs).
    private static let usePool: Bool = {
        let environment = ProcessInfo.processInfo.environment
        if let value = environment["TEMPER_SPIN_US"], let us = Int(value), us >= 0 {
            temper_pool_set_spin_microseconds(us)
        }
        return environment["TEMPER_POOL"] != "dispatch"
    }()
}

/// The pool's C entry point: `context` is the `(Int) -> Void` closure `perform` passed.
private func runPoolIteration(_ context: UnsafeMutableRawPointer?, _ index: Int) {
    guard let context else { return }
    context.assumingMemoryBound(to: ((Int) -> Void).self).pointee(index)
}

/// See `Parallel.perform`: the only `@unchecked Sendable` in TemperTensor.
private struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
