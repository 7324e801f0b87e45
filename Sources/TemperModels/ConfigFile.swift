import Foundation
import TemperFormats

/// Reading a Hugging Face `config.json` into a `Decodable` config type. Decoding errors
/// become `ModelError`s naming the file and the dotted field path.
enum ConfigFile {
    static func url(in folder: URL) -> URL { folder.appendingPathComponent("config.json") }

    static func data(at url: URL) throws -> Data {
        do { return try RegularFile.read(url, limit: 1 << 26) } catch {
            if case .notFound = error { throw ModelError.invalidConfig(path: url.path, reason: "no such file") }
            throw ModelError.invalidConfig(path: url.path, reason: Self.reason(error, path: url.path))
        }
    }

    /// A FormatError's text without its leading "PATH: " (the caller names the path once).
    static func reason(_ error: FormatError, path: String) -> String {
        let text = error.errorDescription ?? "\(error)"
        return text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw describe(error, path: path)
        } catch let error as ModelError {
            throw error
        } catch {
            throw ModelError.invalidConfig(path: path, reason: error.localizedDescription)
        }
    }

    private static func describe(_ error: DecodingError, path: String) -> ModelError {
        func field(_ codingPath: [CodingKey], _ last: CodingKey? = nil) -> String {
            (codingPath + (last.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            return .invalidConfigField(path: path, field: field(context.codingPath, key), reason: "missing")
        case let .typeMismatch(type, context):
            return .invalidConfigField(path: path, field: field(context.codingPath), reason: "expected \(type)")
        case let .valueNotFound(type, context):
            return .invalidConfigField(path: path, field: field(context.codingPath), reason: "null where \(type) is needed")
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty { return .invalidConfig(path: path, reason: "not valid JSON: \(context.debugDescription)") }
            return .invalidConfigField(path: path, field: field(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return .invalidConfig(path: path, reason: "\(error)")
        }
    }
}

// TokenIDList lives in TemperFormats (LlamaConfigJSON.swift), beside the one Llama config decoder.

/// Checks shared by every config: sizes positive, heads dividing the hidden size, …
struct ConfigCheck {
    let path: String

    func positive(_ value: Int, _ field: String) throws {
        guard value > 0 else { throw ModelError.invalidConfigField(path: path, field: field, reason: "must be positive, got \(value)") }
    }

    func positive(_ value: Float, _ field: String) throws {
        guard value > 0, value.isFinite else {
            throw ModelError.invalidConfigField(path: path, field: field, reason: "must be a positive number, got \(value)")
        }
    }

    func divides(_ divisor: Int, _ value: Int, _ divisorField: String, _ valueField: String) throws {
        guard divisor > 0, value % divisor == 0 else {
            throw ModelError.invalidConfigField(path: path, field: divisorField,
                                                reason: "\(divisor) does not divide \(valueField) = \(value)")
        }
    }

    /// Sizes whose products (weight matrices) must not overflow.
    func product(_ values: [Int], _ field: String) throws {
        var total = 1
        for v in values {
            let (p, overflow) = total.multipliedReportingOverflow(by: v)
            guard !overflow, p <= Int(Int32.max) * 64 else {
                throw ModelError.invalidConfigField(path: path, field: field, reason: "sizes \(values) are too large")
            }
            total = p
        }
    }

    /// The activation must be one the architecture file implements.
    func activation(_ value: String, field: String, allowed: [String]) throws {
        guard allowed.contains(value) else { throw ModelError.unsupportedConfig(path: path, field: field, value: value) }
    }
}
