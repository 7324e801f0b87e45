import TemperText

/// Seeded gridworlds: the same seed and size give the same world on every platform.
public enum GridworldGenerator {
    /// The ground truth the fixture demonstrator optimises: save people, avoid obstacles,
    /// head for the goal. `people_left` and `time` carry no true reward.
    public static let trueRewardWeights: [Double] = [1.0, -0.5, -0.2, 0.3, 0, 0]

    /// A `side`×`side` world with walls (~8 % of cells), obstacles (~8 %), `people` people
    /// and a goal, all reachable from the start; the horizon grows with the side.
    public static func make(side: Int, people: Int, seed: UInt64, horizon: Int? = nil) throws -> Gridworld {
        guard (4...GridworldFile.maxSide).contains(side) else {
            throw RewardError.invalidArgument("the side must be in 4...\(GridworldFile.maxSide), got \(side)")
        }
        guard (0...Gridworld.maxPeople).contains(people) else {
            throw RewardError.invalidArgument("people must be in 0...\(Gridworld.maxPeople), got \(people)")
        }
        var rng = Xoshiro256StarStar(seed: seed, stream: 0x6121D)
        for _ in 0..<1000 {
            var cells = (0..<(side * side)).map { GridPoint(x: $0 % side, y: $0 / side) }
            rng.shuffle(&cells)
            let walls = side * side * 8 / 100, obstacles = side * side * 8 / 100
            var next = 0
            func take(_ n: Int) -> [GridPoint] { defer { next += n }; return Array(cells[next..<(next + n)]) }
            let start = take(1)[0], goal = take(1)[0]
            let persons = take(people), obstacleCells = take(obstacles), wallCells = take(walls)
            let world = Gridworld(width: side, height: side, horizon: horizon ?? side * 3, start: start, goal: goal,
                                  people: persons, obstacles: Set(obstacleCells), walls: Set(wallCells),
                                  trueRewardWeights: trueRewardWeights, seed: seed)
            let reachable = world.reachableCells(from: start)
            if reachable.contains(goal), persons.allSatisfy(reachable.contains) { return world }
        }
        throw RewardError.invalidArgument("no connected world found for seed \(seed)")
    }
}
