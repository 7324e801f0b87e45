import Foundation
import Testing
@testable import TemperFormats

@Suite struct ReportFilesTests {
    struct Sample: Codable, Equatable { var value: Double }

    @Test func writesJSONAndHTMLSideBySide() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temper-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try ReportFiles.write(Sample(value: 1.5), html: "<p>x</p>", to: dir.appendingPathComponent("sub/report"))
        #expect(files.json.lastPathComponent == "report.json" && files.html.lastPathComponent == "report.html")
        #expect(try JSONDecoder().decode(Sample.self, from: Data(contentsOf: files.json)) == Sample(value: 1.5))
        #expect(try String(contentsOf: files.html, encoding: .utf8) == "<p>x</p>")
    }

    @Test func nonFiniteNumbersDoNotStopTheReport() throws {
        let text = String(decoding: try ReportFiles.json(Sample(value: .nan)), as: UTF8.self)
        #expect(text.contains("\"nan\""))
    }
}
