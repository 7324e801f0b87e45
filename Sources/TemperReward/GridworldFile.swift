import Foundation
import TemperFormats

/// `env.json` (Formats/gridworld.md): reading validates every rule, writing is atomic.
public enum GridworldFile {
    public static let format = "temper.gridworld"
    static let maxSide = 64, maxHorizon = 1000, maxSize = 4 << 20

    struct Raw: Codable {
        var format: String
        var version: Int
        var seed: UInt64
        var width: Int
        var height: Int
        var horizon: Int
        var start: [Int]
        var goal: [Int]
        var people: [[Int]]
        var obstacles: [[Int]]
        var walls: [[Int]]
        var features: [String]
        var trueReward: [String: Double]
        var policy: PolicySettings
        enum CodingKeys: String, CodingKey {
            case format, version, seed, width, height, horizon, start, goal, people, obstacles, walls, features
            case trueReward = "true_reward", policy
        }
    }

    public static func read(_ url: URL) throws -> Gridworld {
        let data: Data
        do {
            let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
            guard size <= maxSize else { throw RewardError.malformedEnvironment(path: url.path, reason: "larger than \(maxSize) bytes") }
            data = try Data(contentsOf: url)
        } catch let e as RewardError { throw e } catch {
            throw RewardError.io(path: url.path, reason: error.localizedDescription)
        }
        return try parse(data, path: url.path)
    }

    public static func parse(_ data: Data, path: String) throws -> Gridworld {
        let raw: Raw
        do { raw = try JSONDecoder().decode(Raw.self, from: data) } catch {
            throw RewardError.malformedEnvironment(path: path, reason: describe(error))
        }
        return try validate(raw, path: path)
    }

    static func validate(_ raw: Raw, path: String) throws -> Gridworld {
        func bad(_ reason: String) -> RewardError { .malformedEnvironment(path: path, reason: reason) }
        guard raw.format == format else { throw bad("format is '\(raw.format)', expected '\(format)'") }
        guard raw.version == 1 else { throw bad("version \(raw.version) is not supported (1 is)") }
        guard (2...maxSide).contains(raw.width), (2...maxSide).contains(raw.height) else {
            throw bad("width and height must be in 2...\(maxSide), got \(raw.width)×\(raw.height)")
        }
        guard (1...maxHorizon).contains(raw.horizon) else { throw bad("horizon must be in 1...\(maxHorizon), got \(raw.horizon)") }
        guard raw.features == Gridworld.featureNames else {
            throw bad("features are \(raw.features), expected \(Gridworld.featureNames)")
        }
        guard raw.people.count <= Gridworld.maxPeople else { throw bad("\(raw.people.count) people, at most \(Gridworld.maxPeople)") }
        guard raw.policy.inverseTemperature > 0, raw.policy.inverseTemperature.isFinite,
              raw.policy.discount > 0, raw.policy.discount <= 1 else {
            throw bad("policy needs inverse_temperature > 0 and discount in (0, 1]")
        }
        func point(_ xy: [Int], _ what: String) throws -> GridPoint {
            guard xy.count == 2 else { throw bad("\(what) must be [x, y], got \(xy)") }
            let p = GridPoint(x: xy[0], y: xy[1])
            guard p.x >= 0, p.y >= 0, p.x < raw.width, p.y < raw.height else { throw bad("\(what) \(xy) is outside the grid") }
            return p
        }
        let start = try point(raw.start, "start"), goal = try point(raw.goal, "goal")
        let people = try raw.people.map { try point($0, "person") }
        let obstacles = try raw.obstacles.map { try point($0, "obstacle") }
        let walls = try raw.walls.map { try point($0, "wall") }
        let occupied = people + obstacles + walls
        guard Set(occupied).count == occupied.count else { throw bad("two objects share a cell") }
        guard !walls.contains(start), !walls.contains(goal) else { throw bad("the start or the goal is a wall") }
        guard !obstacles.contains(start), !people.contains(start) else { throw bad("the start cell holds an obstacle or a person") }
        var weights = [Double](repeating: 0, count: Gridworld.featureNames.count)
        for (key, value) in raw.trueReward {
            guard let i = Gridworld.featureNames.firstIndex(of: key) else { throw bad("true_reward names unknown feature '\(key)'") }
            guard value.isFinite else { throw bad("true_reward '\(key)' is not finite") }
            weights[i] = value
        }
        guard weights[Gridworld.featureNames.count - 1] == 0 else {
            throw bad("true_reward may not read 'time' (the value iteration assumes a time-independent reward)")
        }
        let world = Gridworld(width: raw.width, height: raw.height, horizon: raw.horizon, start: start, goal: goal, people: people,
                              obstacles: Set(obstacles), walls: Set(walls), trueRewardWeights: weights, policy: raw.policy, seed: raw.seed)
        let reachable = world.reachableCells(from: start)
        if !reachable.contains(goal) { throw RewardError.unreachable(path: path, object: "goal", x: goal.x, y: goal.y) }
        for p in people where !reachable.contains(p) { throw RewardError.unreachable(path: path, object: "person", x: p.x, y: p.y) }
        return world
    }

    static func raw(_ world: Gridworld) -> Raw {
        func xy(_ p: GridPoint) -> [Int] { [p.x, p.y] }
        func sorted(_ s: Set<GridPoint>) -> [[Int]] { s.sorted { ($0.y, $0.x) < ($1.y, $1.x) }.map(xy) }
        var reward: [String: Double] = [:]
        for (name, w) in zip(Gridworld.featureNames, world.trueRewardWeights) where w != 0 { reward[name] = w }
        return Raw(format: format, version: 1, seed: world.seed, width: world.width, height: world.height, horizon: world.horizon,
                   start: xy(world.start), goal: xy(world.goal), people: world.people.map(xy), obstacles: sorted(world.obstacles),
                   walls: sorted(world.walls), features: Gridworld.featureNames, trueReward: reward, policy: world.policy)
    }

    public static func encode(_ world: Gridworld) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(raw(world)) + Data("\n".utf8)
    }

    public static func write(_ world: Gridworld, to url: URL) throws {
        try AtomicFile.write(try encode(world), to: url)
    }

    /// A decoding error in one line: the key path and what was wrong.
    static func describe(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return error.localizedDescription }
        func where_(_ c: DecodingError.Context) -> String {
            let keys = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return keys.isEmpty ? c.debugDescription : "\(keys): \(c.debugDescription)"
        }
        switch e {
        case let .keyNotFound(key, c): return "missing key '\(key.stringValue)'" + (c.codingPath.isEmpty ? "" : " in \(where_(c))")
        case let .typeMismatch(_, c), let .valueNotFound(_, c), let .dataCorrupted(c): return where_(c)
        @unknown default: return error.localizedDescription
        }
    }
}
