import Foundation

/// What can go wrong exporting a job for the torch engine or importing its result. Each
/// case names the file, tensor, step or digest concerned.
public enum JobError: Error, LocalizedError, Equatable {
    /// The transform has no module in the engine yet.
    case notInEngine(operation: String, available: [String])
    case engineSourceNotFound(searched: [String])
    case missingFile(path: String)
    case malformedJob(path: String, reason: String)
    /// A file of the job (config, data, noise, order, engine) differs from its exported digest.
    case editedAfterExport(path: String, recorded: String, actual: String)
    /// The base model given at import is not the one the job was exported from.
    case baseMismatch(path: String, recorded: String, actual: String)
    case missingTensor(name: String, output: String)
    case unexpectedTensor(name: String, output: String)
    case reshapedTensor(name: String, output: String, expected: String, actual: String)
    case malformedLossLog(path: String, line: Int, reason: String)
    /// A loss part that is NaN or infinite in losses.jsonl.
    case diverged(path: String, step: Int, key: String)
    case incompleteRun(path: String, steps: Int, expected: Int)
    case outputExists(path: String)

    public var errorDescription: String? {
        switch self {
        case let .notInEngine(operation, available):
            return "'\(operation)' is not implemented in the torch engine yet (Engines/torch implements: \(available.joined(separator: ", "))); run it with temper itself"
        case let .engineSourceNotFound(searched):
            return "the torch engine (Engines/torch) was not found at \(searched.joined(separator: ", ")); pass --engine-source DIR or set TEMPER_ENGINE_DIR"
        case let .missingFile(path):
            return "\(path): missing"
        case let .malformedJob(path, reason):
            return "\(path): not a Temper job: \(reason)"
        case let .editedAfterExport(path, recorded, actual):
            return "\(path) was changed after export (SHA-256 \(actual), job.json records \(recorded)); export the job again"
        case let .baseMismatch(path, recorded, actual):
            return "\(path) is not the job's base model (manifest \(actual), the job was exported from \(recorded))"
        case let .missingTensor(name, output):
            return "\(output): tensor '\(name)' of the base model is missing from the engine's output"
        case let .unexpectedTensor(name, output):
            return "\(output): tensor '\(name)' is not in the base model"
        case let .reshapedTensor(name, output, expected, actual):
            return "\(output): tensor '\(name)' is \(actual), the base model has \(expected)"
        case let .malformedLossLog(path, line, reason):
            return "\(path):\(line): \(reason)"
        case let .diverged(path, step, key):
            return "\(path): the run diverged: '\(key)' is not finite at step \(step); nothing was imported"
        case let .incompleteRun(path, steps, expected):
            return "\(path): the run logged \(steps) steps, the job has \(expected); nothing was imported"
        case let .outputExists(path):
            return "\(path) already exists (choose another output or pass --force to replace it)"
        }
    }

    /// A check against what was recorded failed (exit 3).
    public var isVerificationFailure: Bool {
        switch self {
        case .editedAfterExport, .baseMismatch: return true
        default: return false
        }
    }

    /// The engine's output or the job folder is bad data (exit 65).
    public var isBadInput: Bool {
        switch self {
        case .malformedJob, .missingTensor, .unexpectedTensor, .reshapedTensor, .malformedLossLog, .diverged, .incompleteRun, .missingFile:
            return true
        default: return false
        }
    }
}
