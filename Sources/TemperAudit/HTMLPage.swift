import Foundation
import TemperFormats
import TemperHarden

/// Small HTML building blocks shared by the audit pages (no JavaScript, inline SVG).
enum HTMLPage {
    static func page(title: String, body: String) -> String {
        """
        <!doctype html><html><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}\
        td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left;vertical-align:top}\
        .pass{color:#1a7f37;font-weight:bold}.fail{color:#c62828;font-weight:bold}svg{display:block;margin:1em 0}\
        figure{margin:1.5em 0}figcaption{font-size:13px;color:#555;max-width:760px}</style>
        </head><body>\(body)</body></html>

        """
    }

    static func escape(_ s: String) -> String { SVGLinePlot.escape(s).replacingOccurrences(of: "\"", with: "&quot;") }

    static func table(header: [String], rows: [[String]]) -> String {
        var s = "<table><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
        for row in rows { s += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>" }
        return s + "</table>"
    }

    static func passFail(_ passed: Bool) -> String { passed ? #"<span class="pass">pass</span>"# : #"<span class="fail">fail</span>"# }

    /// A plot with a caption saying what it shows.
    static func figure(_ svg: String, caption: String) -> String {
        "<figure>\(svg)<figcaption>\(escape(caption))</figcaption></figure>"
    }

    static func number(_ v: Double?, _ format: String = "%.3f") -> String { v.map { String(format: format, $0) } ?? "—" }

    /// Which data the audit read and how harm was judged.
    static func dataSection(data: [DataRecord], metric: String, judges: [JudgeRecord]) -> String {
        var s = "<h2>Data and judges</h2>"
        s += table(header: ["role", "source", "rows", "SHA-256"], rows: data.map {
            [escape($0.role), "<code>\(escape($0.source))</code>", "\($0.rows)", "<code>\($0.sha256)</code>"]
        })
        s += "<p>Primary metric: <b>\(escape(metric))</b>.</p><ul>"
        for j in judges { s += "<li><b>\(escape(j.name))</b>: \(escape(j.detail))</li>" }
        s += "<li><b>loglik</b>: mean per-token log-likelihood of the reference harmful responses (always measured)</li></ul>"
        return s
    }
}

extension SVGLinePlot {
    /// The plot with x ticks at `x` (whole layers, the grid's learning rates, …).
    func ticks(_ x: [Double]) -> SVGLinePlot {
        var plot = self
        plot.xTicks = x
        return plot
    }
}
