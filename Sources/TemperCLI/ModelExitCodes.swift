import TemperModels
import TemperText
import TemperWorld

/// Exit codes for the compute targets' errors: 65 for bad input data (configs, weights,
/// tokenizers, datasets, token ids, training states, a world that does not fit the model),
/// 64 for arguments that cannot work, 1 for I/O faults. Missing paths are caught earlier by
/// `InputPath.require` (64).
extension ModelError: ExitCoded {
    public var exitCode: Int32 {
        switch self {
        case .io: return 1
        case .invalidConfig, .invalidConfigField, .unsupportedConfig, .unsupportedModelType, .missingTensor,
             .unexpectedTensors, .shapeMismatch, .unsupportedDType, .invalidInput, .invalidTrainingState, .emptyTrainingData,
             .notAClassifier, .unknownLabel, .adapterShapeMismatch, .adapterTargetsNotFound:
            return 65
        case .nonFiniteLoss:
            return 1
        }
    }
}

extension TextError: ExitCoded {
    public var exitCode: Int32 {
        switch self {
        case .io: return 1
        case .invalidTemplate, .invalidArgument: return 64
        case .invalidJSON, .missingField, .invalidField, .unsupportedComponent, .unsupportedOption, .unknownToken,
             .missingUnkToken, .invalidDatasetLine, .emptyDataset, .missingRefusal, .missingSpecialToken,
             .templateSyntax, .templateRender, .templateRaised, .noChatTemplate:
            return 65
        }
    }
}

extension WorldError: ExitCoded {
    public var exitCode: Int32 {
        switch self {
        case .emptyData, .invalidConfig, .notAWorld, .tokenizerMismatch, .unknownSplit: return 65
        }
    }
}
