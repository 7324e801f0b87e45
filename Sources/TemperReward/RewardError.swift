import Foundation

/// Everything that can go wrong in the reward-model audit. Bad files and inconsistent
/// inputs carry the path and what was wrong; the CLI maps them to exit 65 (bad data),
/// `.invalidArgument` to 64 and `.io` to 1.
public enum RewardError: LocalizedError, Equatable, Sendable {
    case io(path: String, reason: String)
    case malformedEnvironment(path: String, reason: String)
    /// A person, the goal or the start cannot be reached from the start through free cells.
    case unreachable(path: String, object: String, x: Int, y: Int)
    case malformedRewardArtifact(path: String, reason: String)
    case missingTensor(path: String, name: String)
    case shapeMismatch(path: String, name: String, expected: [Int], found: [Int])
    /// The reward network reads other state features than the environment provides.
    case featureMismatch(path: String, expected: [String], found: [String])
    case emptyTrajectory(context: String)
    /// A trajectory state that the environment cannot be in (outside, inside a wall).
    case unreachableState(path: String, index: Int, x: Int, y: Int)
    /// A stored trajectory that its own actions do not reproduce.
    case invalidTrajectory(path: String, index: Int, reason: String)
    case malformedExplanations(path: String, reason: String)
    case tooFewExplanations(path: String, count: Int, needed: Int)
    case invalidArgument(String)

    public var errorDescription: String? {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .malformedEnvironment(path, reason): return "\(path): not a gridworld environment: \(reason)"
        case let .unreachable(path, object, x, y): return "\(path): the \(object) at (\(x), \(y)) cannot be reached from the start"
        case let .malformedRewardArtifact(path, reason): return "\(path): not a reward artifact: \(reason)"
        case let .missingTensor(path, name): return "\(path): tensor '\(name)' is missing"
        case let .shapeMismatch(path, name, expected, found):
            return "\(path): tensor '\(name)' has shape \(found), expected \(expected)"
        case let .featureMismatch(path, expected, found):
            return "\(path): the reward reads features \(found) but the environment provides \(expected)"
        case let .emptyTrajectory(context): return "empty trajectory: \(context)"
        case let .unreachableState(path, index, x, y): return "\(path): trajectory \(index) visits (\(x), \(y)), which no agent can occupy"
        case let .invalidTrajectory(path, index, reason): return "\(path): trajectory \(index): \(reason)"
        case let .malformedExplanations(path, reason): return "\(path): not an explanations report: \(reason)"
        case let .tooFewExplanations(path, count, needed): return "\(path): \(count) explanations, at least \(needed) needed"
        case let .invalidArgument(reason): return reason
        }
    }

    /// Bad input data (exit 65) as opposed to unusable arguments or I/O faults.
    public var isBadInput: Bool {
        switch self {
        case .io, .invalidArgument: return false
        default: return true
        }
    }
}
