import Testing
import TemperText
@testable import TemperReward

/// A depth-2 tree with three actions per node; leaves carry fixed values and [2, 0] is the best.
struct TinyTree: TreeSearchProblem {
    static let leaves: [[Int]: Double] = [[0, 0]: 0.1, [0, 1]: 0.2, [0, 2]: 0.1, [1, 0]: 0.3, [1, 1]: 0.0, [1, 2]: 0.25,
                                          [2, 0]: 1.0, [2, 1]: 0.0, [2, 2]: 0.05]
    func actions(after path: [Int]) -> [Int] { path.count < 2 ? [0, 1, 2] : [] }
    func isTerminal(_ path: [Int]) -> Bool { path.count == 2 }
    func value(of path: [Int]) -> Double { Self.leaves[path] ?? 0 }
    func rolloutAction(after path: [Int], rng: inout Xoshiro256StarStar) -> Int { rng.nextInt(below: 3) }
}

@Suite struct MonteCarloTreeSearchTests {
    @Test func findsTheBestLeaf() {
        for seed: UInt64 in 0..<5 {
            var rng = Xoshiro256StarStar(seed: seed)
            var search = MonteCarloTreeSearch(problem: TinyTree(), iterations: 40)
            let result = search.search(rng: &rng)
            #expect(result.path == [2, 0], "seed \(seed)")
            #expect(abs(result.value - 1.0) < 1e-12)
        }
    }

    @Test func qIsTheMeanOfTheReturnsThroughANode() {
        var rng = Xoshiro256StarStar(seed: 1)
        var search = MonteCarloTreeSearch(problem: TinyTree(), iterations: 200)
        search.iterate(from: [], rng: &rng)
        for _ in 0..<200 { search.iterate(from: [], rng: &rng) }
        // Every leaf below [1] has been tried; Q([1]) lies within its leaves' range.
        let q1 = search.qValue([1]) ?? -1
        #expect(q1 >= 0 && q1 <= 0.3)
        #expect(search.qValue([2, 0]) == 1.0)
    }

    @Test func tooFewIterationsStillEndAtALeaf() {
        var rng = Xoshiro256StarStar(seed: 3)
        var search = MonteCarloTreeSearch(problem: TinyTree(), iterations: 1)
        #expect(search.search(rng: &rng).path.count == 2)
    }
}
