import Foundation

extension AttackReport {
    /// A self-contained HTML page: a table of every measured point and one SVG plot of
    /// harmful rate against attack steps per split (one line per learning rate and seed).
    public var html: String {
        var body = "<h1>Fine-tuning attack</h1>"
        let isRate = metric != AttackPoint.logLikelihoodMetric
        body += "<p>Model <code>\(SVGLinePlot.escape(model))</code>; batch \(grid.batchSize); primary metric <b>\(SVGLinePlot.escape(metric))</b> "
        body += "on <code>\(SVGLinePlot.escape(attackedSplit))</code>, threshold φ = \(grid.threshold); template <code>\(SVGLinePlot.escape(template))</code>.</p>"
        body += "<h2>Data</h2><table><tr><th>role</th><th>source</th><th>rows</th><th>SHA-256</th></tr>"
        for d in data {
            body += "<tr><td>\(d.role)</td><td>\(SVGLinePlot.escape(d.source))</td><td>\(d.rows)</td><td><code>\(d.sha256)</code></td></tr>"
        }
        body += "</table><h2>Judges</h2><ul>"
        for j in judges { body += "<li><b>\(SVGLinePlot.escape(j.name))</b>: \(SVGLinePlot.escape(j.detail))</li>" }
        body += "<li><b>loglik</b>: mean per-token log-likelihood of the reference harmful responses (always measured)</li></ul>"
        for split in sets {
            let series = runs.map { run in
                SVGLinePlot.Series(name: String(format: "lr %.0e s%llu", run.learningRate, run.seed),
                                   points: run.points.map { (Double($0.step), $0.value(split, metric: metric) ?? 0) })
            }
            body += SVGLinePlot(title: "\(metric) on \(split)", xLabel: "attack steps", yLabel: isRate ? "harmful rate" : "log-likelihood",
                                series: series, yRange: isRate ? 0...1 : nil).svg
        }
        body += "<h2>Steps to threshold</h2><table><tr><th>learning rate</th><th>seed</th><th>steps to φ on \(SVGLinePlot.escape(attackedSplit))</th></tr>"
        for run in runs {
            body += "<tr><td>\(run.learningRate)</td><td>\(run.seed)</td><td>\(run.stepsToThreshold.map(String.init) ?? "not reached")</td></tr>"
        }
        body += "</table><h2>Every point</h2><table><tr><th>lr</th><th>seed</th><th>step</th>"
        for split in sets { body += "<th>\(SVGLinePlot.escape(metric)) \(SVGLinePlot.escape(split))</th><th>log-lik \(SVGLinePlot.escape(split))</th>" }
        body += "</tr>"
        for run in runs {
            for p in run.points {
                body += "<tr><td>\(run.learningRate)</td><td>\(run.seed)</td><td>\(p.step)</td>"
                for split in sets {
                    body += String(format: "<td>%.3f</td><td>%.3f</td>", p.value(split, metric: metric) ?? 0, p.harmfulLogLikelihood[split] ?? 0)
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
