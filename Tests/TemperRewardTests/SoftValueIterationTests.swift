import Foundation
import Testing
@testable import TemperReward

@Suite struct SoftValueIterationTests {
    /// Two states, two actions: in state 0 action 0 stays (r 0), action 1 moves to 1 (r 1);
    /// in state 1 action 0 stays (r 2), action 1 returns to 0 (r 0). Horizon 2, γ = 1.
    let mdp = TabularMDP(stateCount: 2, actionCount: 2, horizon: 2, next: [0, 1, 1, 0], reward: [0, 1, 2, 0])

    @Test func hardLimitMatchesValueIteration() throws {
        let p = try SoftPolicy(mdp: mdp, inverseTemperature: 200, discount: 1)
        // V_1 = (1, 2), V_0(0) = max(0 + 1, 1 + 2) = 3, V_0(1) = max(2 + 2, 0 + 1) = 4.
        #expect(abs(p.value(state: 0, time: 1) - 1) < 1e-2 && abs(p.value(state: 1, time: 1) - 2) < 1e-2)
        #expect(abs(p.value(state: 0, time: 0) - 3) < 1e-2 && abs(p.value(state: 1, time: 0) - 4) < 1e-2)
        #expect(p.actionProbabilities(state: 0, time: 0)[1] > 0.999)
        #expect(p.value(state: 0, time: 2) == 0)
    }

    @Test func softValuesHaveTheClosedForm() throws {
        let p = try SoftPolicy(mdp: mdp, inverseTemperature: 1, discount: 0.5)
        let v10 = Foundation.log(Foundation.exp(0.0) + Foundation.exp(1.0)), v11 = Foundation.log(Foundation.exp(2.0) + Foundation.exp(0.0))
        #expect(abs(p.value(state: 0, time: 1) - v10) < 1e-12 && abs(p.value(state: 1, time: 1) - v11) < 1e-12)
        let v00 = Foundation.log(Foundation.exp(0 + 0.5 * v10) + Foundation.exp(1 + 0.5 * v11))
        #expect(abs(p.value(state: 0, time: 0) - v00) < 1e-12)
        let pi = p.actionProbabilities(state: 0, time: 0)
        #expect(abs(pi[1] - Foundation.exp(1 + 0.5 * v11 - v00)) < 1e-12 && abs(pi.reduce(0, +) - 1) < 1e-12)
    }

    @Test func badTablesAreRejected() {
        #expect(throws: RewardError.self) {
            try SoftPolicy(mdp: TabularMDP(stateCount: 2, actionCount: 2, horizon: 2, next: [0, 5, 1, 0], reward: [0, 1, 2, 0]),
                           inverseTemperature: 1, discount: 1)
        }
    }

    @Test func demonstratorHeadsForThePeople() throws {
        let w = TestWorlds.small(horizon: 8)
        let p = try w.softOptimalPolicy()
        // From (1,0) the person at (2,0) is one step right.
        let s = GridState(position: GridPoint(x: 1, y: 0), savedMask: 0, time: 0)
        let probs = p.actionProbabilities(state: w.stateIndex(s), time: 0)
        #expect(probs.firstIndex(of: probs.max() ?? 0) == GridAction.right.rawValue)
    }
}
