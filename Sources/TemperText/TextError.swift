import Foundation

/// Every way a tokenizer file, a dataset or a text request can be unusable. Each case names
/// the file (or the source given by the caller) and the component, field, line or token,
/// so a user can find the fault.
public enum TextError: Error, Equatable, Sendable {
    case io(path: String, reason: String)
    /// Malformed JSON; `offset` is the byte offset in the file (or line for JSONL).
    case invalidJSON(path: String, offset: Int, reason: String)
    case missingField(path: String, component: String, field: String)
    case invalidField(path: String, component: String, field: String, reason: String)
    /// A `type` this implementation does not provide (e.g. model `Unigram`).
    case unsupportedComponent(path: String, component: String, type: String)
    /// A known component used with an option that would change ids and is not implemented.
    case unsupportedOption(path: String, component: String, option: String, reason: String)
    /// A token named by the file (merge, template, unk) that the vocabulary lacks.
    case unknownToken(path: String, component: String, token: String)
    /// Encoding met a piece the model cannot represent and the model defines no usable unk.
    case missingUnkToken(path: String, model: String, piece: String)
    // datasets
    case invalidDatasetLine(path: String, line: Int, reason: String)
    case emptyDataset(path: String)
    case invalidTemplate(format: String, reason: String)
    case missingRefusal(row: Int)
    case missingSpecialToken(role: String, reason: String)
    case invalidArgument(name: String, reason: String)
    // chat templates (line and column are 1-based positions in the template source)
    case templateSyntax(source: String, line: Int, column: Int, reason: String)
    case templateRender(source: String, line: Int, column: Int, reason: String)
    /// The template called `raise_exception(message)`.
    case templateRaised(source: String, line: Int, column: Int, message: String)
    case noChatTemplate(path: String, reason: String)
}

extension TextError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .invalidJSON(path, offset, reason): return "\(path): invalid JSON at byte \(offset): \(reason)"
        case let .missingField(path, component, field): return "\(path): \(component): missing field '\(field)'"
        case let .invalidField(path, component, field, reason):
            return "\(path): \(component): field '\(field)': \(reason)"
        case let .unsupportedComponent(path, component, type):
            return "\(path): \(component) of type '\(type)' is not supported"
        case let .unsupportedOption(path, component, option, reason):
            return "\(path): \(component): option '\(option)' is not supported: \(reason)"
        case let .unknownToken(path, component, token):
            return "\(path): \(component): token '\(token)' is not in the vocabulary"
        case let .missingUnkToken(path, model, piece):
            return "\(path): \(model) cannot encode '\(piece)' and has no usable unk token"
        case let .invalidDatasetLine(path, line, reason): return "\(path):\(line): \(reason)"
        case let .emptyDataset(path): return "\(path): the dataset has no rows"
        case let .invalidTemplate(format, reason): return "prompt template '\(format)': \(reason)"
        case let .missingRefusal(row): return "dataset row \(row) has no 'refusal'"
        case let .missingSpecialToken(role, reason): return "no \(role) token: \(reason)"
        case let .invalidArgument(name, reason): return "\(name): \(reason)"
        case let .templateSyntax(source, line, column, reason):
            return "\(source):\(line):\(column): template syntax error: \(reason)"
        case let .templateRender(source, line, column, reason):
            return "\(source):\(line):\(column): template error: \(reason)"
        case let .templateRaised(source, line, column, message):
            return "\(source):\(line):\(column): the template raised an exception: \(message)"
        case let .noChatTemplate(path, reason): return "\(path): no chat template: \(reason)"
        }
    }
}
