import Foundation

/// The explanations page: a summary table, then each original/counterfactual pair drawn on
/// the grid (inline SVG, no JavaScript) with both returns and the six criteria.
public enum ExplanationReportHTML {
    public static let maxDrawn = 30

    public static func page(_ report: ExplanationReport, world: Gridworld) -> String {
        var body = "<h1>Counterfactual trajectory explanations (\(escape(report.method.rawValue)))</h1>"
        body += "<p>Reward \(escape(report.reward)) (manifest \(escape(String(report.rewardManifestSHA256.prefix(16))))…), environment \(escape(report.environment)), seed \(report.seed).</p>"
        body += table(["explanations", "mean quality", "seconds per explanation", "explanations per second"],
                      [[String(report.count), f(report.quality), f(report.secondsPerExplanation, "%.4f"), f(report.explanationsPerSecond, "%.1f")]])
        body += "<h2>Mean criteria (raw)</h2>" + table(Criterion.allCases.map(\.rawValue), [Criterion.allCases.map { f(report.meanCriteria[$0]) }])
        body += "<p>Weights: " + Criterion.allCases.map { "\($0.rawValue) \(f(report.weights.values[$0], "%.2g"))" }.joined(separator: ", ")
            + ". Blue: the original; red, dashed: the counterfactual; ● people, ■ obstacles, dark cells walls, ★ goal.</p>"
        for e in report.explanations.prefix(maxDrawn) {
            body += "<figure>" + svg(e, world: world) + "<figcaption>"
            body += "Explanation \(e.index): deviation at step \(e.start). Original return \(f(e.originalReturn)) (mean \(f(e.originalMeanReward))), "
            body += "counterfactual return \(f(e.counterfactualReturn)) (mean \(f(e.counterfactualMeanReward))); quality \(f(e.quality)).</figcaption>"
            body += table(["criterion"] + Criterion.allCases.map(\.rawValue),
                          [["raw"] + Criterion.allCases.map { f(e.criteria[$0]) }, ["normalised"] + Criterion.allCases.map { f(e.normalisedCriteria[$0]) }])
            body += "</figure>"
        }
        if report.explanations.count > maxDrawn { body += "<p>(\(report.explanations.count - maxDrawn) more in the JSON report.)</p>" }
        return """
        <!doctype html><html><head><meta charset="utf-8"><title>CTEs \(escape(report.method.rawValue))</title>
        <style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:.5em 0}\
        td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}figure{margin:1.5em 0}figcaption{font-size:13px;color:#555}</style>
        </head><body>\(body)</body></html>

        """
    }

    static func svg(_ e: ExplanationRecord, world: Gridworld) -> String {
        let cell = max(8, min(28, 420 / max(world.width, world.height)))
        let (w, h) = (world.width * cell, world.height * cell)
        var s = "<svg xmlns='http://www.w3.org/2000/svg' width='\(w)' height='\(h)' viewBox='0 0 \(w) \(h)'>"
        s += "<rect width='\(w)' height='\(h)' fill='#fafafa' stroke='#999'/>"
        func box(_ p: GridPoint, _ fill: String, inset: Int = 0) -> String {
            "<rect x='\(p.x * cell + inset)' y='\(p.y * cell + inset)' width='\(cell - 2 * inset)' height='\(cell - 2 * inset)' fill='\(fill)'/>"
        }
        for p in world.walls { s += box(p, "#444") }
        for p in world.obstacles { s += box(p, "#f0a030", inset: cell / 5) }
        for p in world.people {
            s += "<circle cx='\(p.x * cell + cell / 2)' cy='\(p.y * cell + cell / 2)' r='\(cell / 3)' fill='#3a7bd5' fill-opacity='0.35'/>"
        }
        s += "<text x='\(world.goal.x * cell + cell / 2)' y='\(world.goal.y * cell + cell * 3 / 4)' font-size='\(cell * 3 / 4)' text-anchor='middle' fill='#1a7f37'>★</text>"
        func line(_ positions: [[Int]], _ color: String, dash: String, offset: Int) -> String {
            let points = positions.filter { $0.count == 2 }.map { "\($0[0] * cell + cell / 2 + offset),\($0[1] * cell + cell / 2 + offset)" }
            return "<polyline points='\(points.joined(separator: " "))' fill='none' stroke='\(color)' stroke-width='\(max(2, cell / 7))' stroke-dasharray='\(dash)' stroke-linejoin='round'/>"
        }
        s += line(e.original.positions, "#1f4fb4", dash: "none", offset: -cell / 10)
        s += line(e.counterfactual.positions, "#c62828", dash: "\(cell / 3),\(cell / 5)", offset: cell / 10)
        let st = e.original.start
        s += "<circle cx='\(st.x * cell + cell / 2)' cy='\(st.y * cell + cell / 2)' r='\(max(3, cell / 5))' fill='none' stroke='#000' stroke-width='2'/>"
        return s + "</svg>"
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        "<table><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
            + rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined() + "</table>"
    }

    static func f(_ v: Double, _ format: String = "%.3f") -> String { v.isFinite ? String(format: format, v) : "—" }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
