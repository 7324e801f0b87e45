import Foundation
import Testing
@testable import TemperReward

@Suite struct GridworldTests {
    @Test func stepsSavePeopleBumpWallsAndEnterObstacles() {
        let w = TestWorlds.small()
        var s = w.initialState()
        (s, _) = w.step(s, .up)  // off the grid: stays
        #expect(s.position == GridPoint(x: 0, y: 0) && s.time == 1)
        (s, _) = w.step(s, .right)
        let (saving, saved) = w.step(s, .right)
        #expect(saved && saving.savedMask == 1 && saving.position == GridPoint(x: 2, y: 0))
        let (blocked, _) = w.step(saving, .down)  // wall at (2,1)
        #expect(blocked.position == GridPoint(x: 2, y: 0))
        let (again, savedAgain) = w.step(w.step(saving, .left).state, .right)
        #expect(!savedAgain && again.savedMask == 1)
        let onObstacle = w.step(GridState(position: GridPoint(x: 1, y: 0), savedMask: 0, time: 0), .down).state
        #expect(w.features(of: onObstacle, saved: false)[1] == 1)
    }

    @Test func featuresHaveKnownValues() {
        let w = TestWorlds.small()
        let s = GridState(position: GridPoint(x: 4, y: 0), savedMask: 0b10, time: 4)
        // distance 0, at goal, one of two people left, time 4/8
        #expect(w.features(of: s, saved: true) == [1, 0, 0, 1, 0.5, 0.5])
        #expect(w.features(of: w.initialState(), saved: false) == [0, 0, 4.0 / 7.0, 0, 1, 0])
        #expect(abs(w.trueReward(of: s, saved: true) - 1.3) < 1e-12)
    }

    @Test func environmentFileRoundTrips() throws {
        let w = try GridworldGenerator.make(side: 8, people: 3, seed: 5)
        let back = try GridworldFile.parse(try GridworldFile.encode(w), path: "env.json")
        #expect(back == w)
        #expect(try GridworldGenerator.make(side: 8, people: 3, seed: 5) == w)
        #expect(try GridworldGenerator.make(side: 8, people: 3, seed: 6) != w)
    }

    func parse(_ edit: (inout [String: Any]) -> Void) throws -> Gridworld {
        var object = try #require(try JSONSerialization.jsonObject(with: GridworldFile.encode(TestWorlds.small())) as? [String: Any])
        edit(&object)
        return try GridworldFile.parse(try JSONSerialization.data(withJSONObject: object), path: "env.json")
    }

    @Test func malformedEnvironmentsAreTypedErrors() throws {
        #expect(throws: RewardError.self) { try GridworldFile.parse(Data("{not json".utf8), path: "env.json") }
        #expect { _ = try parse { $0.removeValue(forKey: "goal") } } throws: { e in
            guard case let .malformedEnvironment(_, reason) = e as? RewardError else { return false }
            return reason.contains("goal")
        }
        #expect { _ = try parse { $0["features"] = ["time", "person_saved"] } } throws: { ($0 as? RewardError)?.isBadInput == true }
        #expect { _ = try parse { $0["people"] = [[9, 9]] } } throws: { e in
            if case .malformedEnvironment = e as? RewardError { return true } else { return false }
        }
        #expect { _ = try parse { $0["true_reward"] = ["time": 1.0] } } throws: { e in
            if case .malformedEnvironment = e as? RewardError { return true } else { return false }
        }
        // Walls around the person at (0,3): unreachable.
        #expect { _ = try parse { $0["walls"] = [[2, 1], [0, 2], [1, 3], [1, 2]] } } throws: { e in
            e as? RewardError == .unreachable(path: "env.json", object: "person", x: 0, y: 3)
        }
    }
}
