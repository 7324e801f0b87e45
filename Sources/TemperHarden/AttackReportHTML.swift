import Foundation

extension AttackReport {
    /// A self-contained HTML page: a table of every measured point and one SVG plot of
    /// harmful rate against attack steps per split (one line per learning rate and seed).
    public var html: String {
        var body = "<h1>Fine-tuning attack</h1>"
        body += "<p>Model <code>\(SVGLinePlot.escape(model))</code>; attack data: harmful pairs of <code>\(attackedSplit)</code>; "
        body += "batch \(grid.batchSize); threshold φ = \(grid.threshold).</p>"
        for split in ["harmful_a_train", "harmful_a_heldout", "harmful_b"] {
            let series = runs.map { run in
                SVGLinePlot.Series(name: String(format: "lr %.0e s%llu", run.learningRate, run.seed),
                                   points: run.points.map { (Double($0.step), $0.harmfulRate[split] ?? 0) })
            }
            body += SVGLinePlot(title: "harmful rate on \(split)", xLabel: "attack steps", yLabel: "harmful rate",
                                series: series, yRange: 0...1).svg
        }
        body += "<h2>Steps to threshold</h2><table><tr><th>learning rate</th><th>seed</th><th>steps to φ on \(attackedSplit)</th></tr>"
        for run in runs {
            body += "<tr><td>\(run.learningRate)</td><td>\(run.seed)</td><td>\(run.stepsToThreshold.map(String.init) ?? "not reached")</td></tr>"
        }
        body += "</table><h2>Every point</h2><table><tr><th>lr</th><th>seed</th><th>step</th>"
        for split in ["harmful_a_train", "harmful_a_heldout", "harmful_b"] { body += "<th>rate \(split)</th><th>log-lik \(split)</th>" }
        body += "</tr>"
        for run in runs {
            for p in run.points {
                body += "<tr><td>\(run.learningRate)</td><td>\(run.seed)</td><td>\(p.step)</td>"
                for split in ["harmful_a_train", "harmful_a_heldout", "harmful_b"] {
                    body += String(format: "<td>%.3f</td><td>%.3f</td>", p.harmfulRate[split] ?? 0, p.harmfulLogLikelihood[split] ?? 0)
                }
                body += "</tr>"
            }
        }
        body += "</table>"
        return """
        <!doctype html><html><head><meta charset="utf-8"><title>Temper attack report</title>
        <style>body{font-family:sans-serif;max-width:960px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;font-size:12px}svg{display:block;margin:1em 0}</style>
        </head><body>\(body)</body></html>
        """
    }
}
