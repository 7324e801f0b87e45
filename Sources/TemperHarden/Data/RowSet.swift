import Foundation
import TemperIntegrity
import TemperText

/// A data set a run used, as provenance and reports record it: where it came from, the
/// SHA-256 of its bytes and its row count.
public struct DataRecord: Codable, Sendable, Equatable {
    /// What the run used it for: "harmful", "retain", "attack", "eval", …
    public var role: String
    /// The file's path, or `world:FOLDER#split` for rows a preset generated.
    public var source: String
    /// SHA-256 (hex) of the file's bytes, or of the rows as canonical JSONL for a preset.
    public var sha256: String
    public var rows: Int
}

/// Named rows with the record of where they came from.
public struct RowSet: Sendable, Equatable {
    /// Short name used as a key in reports (the file's stem or the preset's split).
    public var name: String
    public var rows: [DatasetRow]
    public var record: DataRecord

    public init(name: String, rows: [DatasetRow], record: DataRecord) {
        self.name = name; self.rows = rows; self.record = record
    }

    /// Reads a JSONL file (`Formats/datasets.md`); `name` defaults to the file's stem.
    public static func load(_ url: URL, role: String, name: String? = nil) throws -> RowSet {
        let data = try TextFile.read(url)
        let dataset = try JSONLDataset(data: data, path: url.path)
        return RowSet(name: name ?? url.deletingPathExtension().lastPathComponent, rows: dataset.rows,
                      record: DataRecord(role: role, source: url.path, sha256: SHA256Digest.of(data).hex, rows: dataset.rows.count))
    }

    /// Rows made in code (a preset), recorded by the digest of their canonical JSONL (the
    /// bytes `JSONLWriter` writes, so a preset's split and its written file share a digest).
    public static func generated(_ rows: [DatasetRow], name: String, role: String, source: String) throws -> RowSet {
        guard !rows.isEmpty else { throw HardenError.emptyData(source: source, reason: "the split has no rows") }
        let bytes = try JSONLWriter.data(rows)
        return RowSet(name: name, rows: rows, record: DataRecord(role: role, source: source, sha256: SHA256Digest.of(bytes).hex, rows: rows.count))
    }

    /// The same rows recorded under another role.
    public func role(_ role: String) -> RowSet {
        var copy = self
        copy.record.role = role
        return copy
    }

    /// Throws `unpairedRow` for the first row without a refusal (a pairs file).
    public func requireRefusals() throws {
        if let (line, row) = numberedRows.first(where: { $0.row.refusal == nil }) {
            throw HardenError.unpairedRow(source: record.source, line: line, prompt: row.prompt)
        }
    }

    /// Rows with their 1-based position when they were built in code (line 0).
    var numberedRows: [(line: Int, row: DatasetRow)] {
        rows.enumerated().map { ($0.element.line > 0 ? $0.element.line : $0.offset + 1, $0.element) }
    }
}

/// Canonical JSONL of rows: keys sorted, one object per line, `\n` after each.
public enum JSONLWriter {
    public static func data(_ rows: [DatasetRow]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for row in rows { data += try encoder.encode(row); data += Data("\n".utf8) }
        return data
    }
}
