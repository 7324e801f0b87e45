import Foundation

/// A cell of the grid; x grows to the right, y downwards.
public struct GridPoint: Codable, Hashable, Sendable {
    public var x: Int
    public var y: Int
    public init(x: Int, y: Int) { self.x = x; self.y = y }
    public func manhattan(_ other: GridPoint) -> Int { abs(x - other.x) + abs(y - other.y) }
}

/// Where the agent is: its cell, which people it has saved (bit i = person i), the time.
public struct GridState: Hashable, Sendable {
    public var position: GridPoint
    public var savedMask: Int
    public var time: Int
    public init(position: GridPoint, savedMask: Int, time: Int) {
        self.position = position; self.savedMask = savedMask; self.time = time
    }
}

/// The five moves. Stepping onto a person saves them; walls block (the agent stays);
/// obstacles can be entered but count as "obstacle hit".
public enum GridAction: Int, CaseIterable, Sendable {
    case up = 0, down, left, right, stay
    public static let count = 5
    var delta: (dx: Int, dy: Int) {
        switch self {
        case .up: return (0, -1)
        case .down: return (0, 1)
        case .left: return (-1, 0)
        case .right: return (1, 0)
        case .stay: return (0, 0)
        }
    }
}

/// A deterministic gridworld: people to save, obstacles to avoid, walls, a goal and a fixed
/// horizon. Every state feature a reward can read is computed here, on arrival in a state.
public struct Gridworld: Sendable, Equatable {
    public static let featureNames = ["person_saved", "obstacle_hit", "distance_to_goal", "at_goal", "people_left", "time"]
    public static let maxPeople = 8

    public var width: Int
    public var height: Int
    public var horizon: Int
    public var start: GridPoint
    public var goal: GridPoint
    public var people: [GridPoint]
    public var obstacles: Set<GridPoint>
    public var walls: Set<GridPoint>
    /// Ground-truth reward: one weight per feature (`featureNames` order).
    public var trueRewardWeights: [Double]
    public var policy: PolicySettings
    public var seed: UInt64

    public init(width: Int, height: Int, horizon: Int, start: GridPoint, goal: GridPoint, people: [GridPoint],
                obstacles: Set<GridPoint>, walls: Set<GridPoint>, trueRewardWeights: [Double],
                policy: PolicySettings = PolicySettings(), seed: UInt64 = 0) {
        self.width = width; self.height = height; self.horizon = horizon; self.start = start; self.goal = goal
        self.people = people; self.obstacles = obstacles; self.walls = walls
        self.trueRewardWeights = trueRewardWeights; self.policy = policy; self.seed = seed
    }

    public var cellCount: Int { width * height }
    public var maskCount: Int { 1 << people.count }
    /// Tabular states without time: cell × saved-mask.
    public var stateCount: Int { cellCount * maskCount }

    public func contains(_ p: GridPoint) -> Bool { p.x >= 0 && p.y >= 0 && p.x < width && p.y < height }
    public func isFree(_ p: GridPoint) -> Bool { contains(p) && !walls.contains(p) }
    public func cellIndex(_ p: GridPoint) -> Int { p.y * width + p.x }
    public func point(cell: Int) -> GridPoint { GridPoint(x: cell % width, y: cell / width) }
    public func stateIndex(_ s: GridState) -> Int { cellIndex(s.position) * maskCount + s.savedMask }
    public func state(index: Int, time: Int) -> GridState {
        GridState(position: point(cell: index / maskCount), savedMask: index % maskCount, time: time)
    }

    /// The initial state at `start` (a person standing on the start cell is not saved).
    public func initialState(at position: GridPoint? = nil) -> GridState {
        GridState(position: position ?? start, savedMask: 0, time: 0)
    }

    /// One move: the next state and whether it saved a person. Time advances by one.
    public func step(_ s: GridState, _ action: GridAction) -> (state: GridState, saved: Bool) {
        let d = action.delta
        var next = GridPoint(x: s.position.x + d.dx, y: s.position.y + d.dy)
        if !isFree(next) { next = s.position }
        var mask = s.savedMask
        var saved = false
        if let i = people.firstIndex(of: next), mask & (1 << i) == 0 {
            mask |= 1 << i
            saved = true
        }
        return (GridState(position: next, savedMask: mask, time: s.time + 1), saved)
    }

    /// The six features of arriving in `s` (`saved`: whether this arrival saved a person).
    public func features(of s: GridState, saved: Bool) -> [Double] {
        let span = Double(max(1, width + height - 2))
        let left = people.count - s.savedMask.nonzeroBitCount
        return [
            saved ? 1 : 0,
            obstacles.contains(s.position) ? 1 : 0,
            Double(s.position.manhattan(goal)) / span,
            s.position == goal ? 1 : 0,
            people.isEmpty ? 0 : Double(left) / Double(people.count),
            Double(s.time) / Double(max(1, horizon)),
        ]
    }

    /// The ground-truth reward of arriving in `s`.
    public func trueReward(of s: GridState, saved: Bool) -> Double {
        zip(features(of: s, saved: saved), trueRewardWeights).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// Free cells reachable from `from` (breadth-first through non-wall cells).
    public func reachableCells(from: GridPoint) -> Set<GridPoint> {
        guard isFree(from) else { return [] }
        var seen: Set<GridPoint> = [from]
        var queue = [from]
        var head = 0
        while head < queue.count {
            let p = queue[head]; head += 1
            for a in GridAction.allCases where a != .stay {
                let q = GridPoint(x: p.x + a.delta.dx, y: p.y + a.delta.dy)
                if isFree(q), seen.insert(q).inserted { queue.append(q) }
            }
        }
        return seen
    }
}

/// How the demonstrator acts: soft-optimal (Boltzmann over soft Q-values) for the true reward.
public struct PolicySettings: Codable, Equatable, Sendable {
    /// Inverse temperature β: higher is closer to optimal.
    public var inverseTemperature: Double
    public var discount: Double
    public init(inverseTemperature: Double = 4, discount: Double = 0.97) {
        self.inverseTemperature = inverseTemperature; self.discount = discount
    }
    enum CodingKeys: String, CodingKey { case inverseTemperature = "inverse_temperature", discount }
}
