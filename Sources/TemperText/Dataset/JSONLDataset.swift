import Foundation

/// One training row: a prompt, the response to learn, and optionally a refusal (for
/// harmful prompts). `line` is the 1-based line in the source file (0 when built in code).
public struct DatasetRow: Sendable, Equatable, Codable {
    public var prompt: String
    public var response: String
    public var refusal: String?
    public var line: Int

    public init(prompt: String, response: String, refusal: String? = nil, line: Int = 0) {
        self.prompt = prompt
        self.response = response
        self.refusal = refusal
        self.line = line
    }

    /// The file's keys only (`line` is where the row was read, not part of it).
    private enum CodingKeys: String, CodingKey { case prompt, response, refusal }

    public init(from decoder: any Swift.Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(prompt: try c.decode(String.self, forKey: .prompt), response: try c.decode(String.self, forKey: .response),
                  refusal: try c.decodeIfPresent(String.self, forKey: .refusal))
    }

    public func encode(to encoder: any Swift.Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(prompt, forKey: .prompt)
        try c.encode(response, forKey: .response)
        try c.encodeIfPresent(refusal, forKey: .refusal)
    }
}

/// A JSONL file of `{"prompt": …, "response": …, "refusal"?: …}` objects, one per line.
/// Extra keys are ignored, blank lines skipped; anything else wrong is an error naming the
/// file and the line.
public struct JSONLDataset: Sendable {
    public let path: String
    public let rows: [DatasetRow]

    public init(rows: [DatasetRow], path: String = "<memory>") {
        self.rows = rows
        self.path = path
    }

    public static func load(_ url: URL) throws -> JSONLDataset {
        let data = try TextFile.read(url)
        return try JSONLDataset(data: data, path: url.path)
    }

    public init(data: Data, path: String) throws {
        var rows: [DatasetRow] = []
        var lineNumber = 0
        for rawLine in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Array(rawLine)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            rows.append(try Self.parseRow(line, path: path, line: lineNumber))
        }
        guard !rows.isEmpty else { throw TextError.emptyDataset(path: path) }
        self.init(rows: rows, path: path)
    }

    private static func parseRow(_ bytes: [UInt8], path: String, line: Int) throws -> DatasetRow {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes, path: path) } catch let TextError.invalidJSON(_, offset, reason) {
            throw TextError.invalidDatasetLine(path: path, line: line, reason: "invalid JSON at column \(offset + 1): \(reason)")
        }
        guard case .object = json else {
            throw TextError.invalidDatasetLine(path: path, line: line, reason: "expected an object, found \(json.kindName)")
        }
        func field(_ name: String, required: Bool) throws -> String? {
            switch json[name] {
            case let .string(s)?: return s
            case nil, .null?:
                if required { throw TextError.invalidDatasetLine(path: path, line: line, reason: "missing '\(name)'") }
                return nil
            case let other?:
                throw TextError.invalidDatasetLine(path: path, line: line, reason: "'\(name)' must be a string, found \(other.kindName)")
            }
        }
        return DatasetRow(prompt: try field("prompt", required: true) ?? "",
                          response: try field("response", required: true) ?? "",
                          refusal: try field("refusal", required: false), line: line)
    }

    public var count: Int { rows.count }
}
