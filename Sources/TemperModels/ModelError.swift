import Foundation

/// Everything that can make a model folder unusable or a model call invalid. Each case names
/// the file, the config field or the tensor (with both shapes where two disagree), so a user
/// can find the fault from the message alone.
public enum ModelError: Error, Equatable, Sendable {
    /// config.json cannot be read or is not the JSON object expected.
    case invalidConfig(path: String, reason: String)
    /// A config field is missing, has the wrong type or an unusable value.
    case invalidConfigField(path: String, field: String, reason: String)
    /// A config option that changes the computation and is not implemented.
    case unsupportedConfig(path: String, field: String, value: String)
    /// `model_type` names no architecture Temper implements.
    case unsupportedModelType(path: String, modelType: String)
    /// The checkpoint lacks a tensor the architecture needs.
    case missingTensor(path: String, tensor: String, expectedShape: [Int])
    /// Tensors the architecture does not use (strict loading rejects them).
    case unexpectedTensors(path: String, tensors: [String])
    /// A tensor whose shape differs from what the config implies.
    case shapeMismatch(path: String, tensor: String, expected: [Int], actual: [Int])
    /// A tensor stored in a dtype that cannot be read as numbers (ints, 8-bit floats).
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// Arguments of a model call that do not fit the model (ids out of range, sequence too
    /// long, perturbation of the wrong shape, …).
    case invalidInput(reason: String)
    /// Writing a model folder or training state failed.
    case io(path: String, reason: String)
    /// A saved training state that does not fit the model or run being resumed.
    case invalidTrainingState(path: String, reason: String)
    /// A training run given nothing to train on.
    case emptyTrainingData(reason: String)
    /// The loss or the gradients stopped being finite at `step` (0-based); that step's
    /// update was not applied, so the weights are those of the last good step.
    case nonFiniteLoss(step: Int, detail: String)
    /// A folder used as a sequence classifier that is none: no classification head, a
    /// decoder, a bare encoder.
    case notAClassifier(path: String, reason: String)
    /// A label that is neither one of a classifier's label names nor an index into them.
    case unknownLabel(label: String, labels: [String])
    /// A LoRA tensor whose shape does not fit the base module it adapts.
    case adapterShapeMismatch(path: String, tensor: String, actual: [Int], expected: [Int], baseWeight: String, baseShape: [Int])
    /// An adapter's target modules name no linear module of the base model.
    case adapterTargetsNotFound(path: String, targets: [String], available: [String])
}

extension ModelError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .invalidConfig(path, reason): return "\(path): \(reason)"
        case let .invalidConfigField(path, field, reason): return "\(path): field '\(field)': \(reason)"
        case let .unsupportedConfig(path, field, value): return "\(path): '\(field)' = \(value) is not supported"
        case let .unsupportedModelType(path, modelType):
            return "\(path): model_type '\(modelType)' is not supported (supported: \(ModelRegistry.supportedTypes.joined(separator: ", ")))"
        case let .missingTensor(path, tensor, shape): return "\(path): missing tensor '\(tensor)' (expected shape \(shape))"
        case let .unexpectedTensors(path, tensors):
            let shown = tensors.prefix(8).map { "'\($0)'" }.joined(separator: ", ")
            return "\(path): \(tensors.count) unexpected tensor(s) the model does not use: \(shown)\(tensors.count > 8 ? ", …" : "")"
        case let .shapeMismatch(path, tensor, expected, actual):
            return "\(path): tensor '\(tensor)' has shape \(actual), the config implies \(expected)"
        case let .unsupportedDType(path, tensor, dtype): return "\(path): tensor '\(tensor)' has dtype \(dtype), not F32/F16/BF16"
        case let .invalidInput(reason): return reason
        case let .io(path, reason): return "\(path): \(reason)"
        case let .invalidTrainingState(path, reason): return "\(path): training state: \(reason)"
        case let .emptyTrainingData(reason): return "no training data: \(reason)"
        case let .nonFiniteLoss(step, detail): return "training stopped at step \(step + 1): \(detail)"
        case let .notAClassifier(path, reason): return "\(path): not a sequence classifier: \(reason)"
        case let .unknownLabel(label, labels):
            return "unknown label '\(label)': the classifier's labels are \(labels.enumerated().map { "\($0.offset) '\($0.element)'" }.joined(separator: ", "))"
        case let .adapterShapeMismatch(path, tensor, actual, expected, baseWeight, baseShape):
            return "\(path): adapter tensor '\(tensor)' has shape \(actual), but base weight '\(baseWeight)' \(baseShape) needs \(expected)"
        case let .adapterTargetsNotFound(path, targets, available):
            return "\(path): target modules \(targets) match no linear module of the base model (it has: \(available.joined(separator: ", ")))"
        }
    }
}
