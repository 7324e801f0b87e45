import Foundation
import Testing
import TemperText
@testable import TemperReward

@Suite struct TrajectoryRecordTests {
    func rollout() throws -> (ExplanationContext, Trajectory) {
        let context = try TestWorlds.context()
        var rng = Xoshiro256StarStar(seed: 2)
        return (context, context.rollout(from: context.world.initialState(), rng: &rng).slice(from: 2, through: 6))
    }

    @Test func replayReproducesTheTrajectory() throws {
        let (context, t) = try rollout()
        #expect(t.count == 5 && t.states[0].time == 2)
        let back = try TrajectoryRecord(t).replay(context, path: "x.json", index: 0)
        #expect(back == t)
    }

    @Test func tamperedTrajectoriesAreRejected() throws {
        let (context, t) = try rollout()
        var record = try TrajectoryRecord(t)
        record.positions[2] = [record.positions[2][0] == 4 ? 3 : 4, 3]
        #expect { _ = try record.replay(context, path: "x.json", index: 3) } throws: { e in
            if case .invalidTrajectory(_, 3, _) = e as? RewardError { return true }
            if case .unreachableState(_, 3, _, _) = e as? RewardError { return true }
            return false
        }
        record = try TrajectoryRecord(t)
        record.start.x = 2; record.start.y = 1  // the wall
        #expect { _ = try record.replay(context, path: "x.json", index: 1) } throws: { e in
            e as? RewardError == .unreachableState(path: "x.json", index: 1, x: 2, y: 1)
        }
        record = try TrajectoryRecord(t)
        record.actions = []; record.positions = [record.positions[0]]
        #expect { _ = try record.replay(context, path: "x.json", index: 0) } throws: { e in
            if case .emptyTrajectory = e as? RewardError { return true } else { return false }
        }
        record = try TrajectoryRecord(t)
        record.actions[0] = 7
        #expect(throws: RewardError.self) { try record.replay(context, path: "x.json", index: 0) }
        #expect(throws: RewardError.self) { try TrajectoryRecord(Trajectory(states: [], actions: [], savedOnArrival: [], rewards: [])) }
    }
}
