import Foundation
import Testing
@testable import TemperTensor

/// `Parallel.perform` on CWorkerPool: every iteration runs exactly once, results are visible
/// to the caller when it returns, nested loops run inline, and callers on several threads at
/// once (one holds the pool, the others fall back to Dispatch) all finish correctly.
@Suite struct ParallelTests {
    /// Runs `perform(iterations)` and returns how often each index ran.
    private func counts(_ iterations: Int) -> [Int] {
        let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: iterations)
        hits.initialize(repeating: 0)
        defer { hits.deallocate() }
        Parallel.perform(iterations) { hits[$0] += 1 }
        return Array(hits)
    }

    @Test func everyIterationRunsOnceOverManyBackToBackJobs() {
        for round in 0..<2_000 {
            let iterations = 1 + round % 37
            #expect(counts(iterations) == Array(repeating: 1, count: iterations))
        }
        #expect(counts(0).isEmpty)
    }

    @Test func writesOfEveryIterationAreVisibleAfterward() {
        let n = 1 << 16
        let values = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
        defer { values.deallocate() }
        for round in 0..<50 {
            Parallel.chunks(n, cost: 64) { range in
                for i in range { values[i] = Float(i &+ round) }
            }
            var ok = true
            for i in 0..<n where values[i] != Float(i &+ round) { ok = false }
            #expect(ok)
        }
    }

    @Test func nestedLoopsRunInline() {
        let outer = 8, inner = 16
        let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: outer * inner)
        hits.initialize(repeating: 0)
        defer { hits.deallocate() }
        Parallel.perform(outer) { o in
            Parallel.perform(inner) { i in hits[o * inner + i] += 1 }
        }
        #expect(Array(hits) == Array(repeating: 1, count: outer * inner))
    }

    @Test func concurrentCallersAllFinish() {
        let callers = 4, rounds = 200
        nonisolated(unsafe) let sums = UnsafeMutableBufferPointer<Int>.allocate(capacity: callers * 10)
        sums.initialize(repeating: 0)
        defer { sums.deallocate() }
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            for _ in 0..<rounds {
                Parallel.perform(10) { sums[caller * 10 + $0] += $0 + 1 }
            }
        }
        for caller in 0..<callers {
            #expect(Array(sums[(caller * 10)..<(caller * 10 + 10)]) == (1...10).map { $0 * rounds })
        }
    }
}
