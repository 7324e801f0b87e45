import Foundation

/// Writes a report as `BASE.json` and `BASE.html`, each atomically — the one writer the
/// audits, attacks and reward explanations share.
public enum ReportFiles {
    /// Pretty, key-sorted JSON; non-finite numbers (a diverged loss) become strings.
    public static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(value) + Data("\n".utf8)
    }

    /// Writes both files next to each other; returns their URLs (json, html).
    @discardableResult
    public static func write<T: Encodable>(_ value: T, html: String, to base: URL) throws -> (json: URL, html: URL) {
        let folder = base.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw FormatError.io(path: folder.path, reason: "cannot create the report folder: \(error.localizedDescription)")
        }
        let jsonURL = base.appendingPathExtension("json"), htmlURL = base.appendingPathExtension("html")
        try AtomicFile.write(try json(value), to: jsonURL)
        try AtomicFile.write(Data(html.utf8), to: htmlURL)
        return (jsonURL, htmlURL)
    }
}
