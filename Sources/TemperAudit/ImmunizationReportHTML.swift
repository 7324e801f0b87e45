import Foundation
import TemperHarden

extension ImmunizationReport {
    /// A self-contained page: the conditions table, steps-to-φ per learning rate for both
    /// models, one plot of harmful rate against attack steps per harmful split (base and
    /// defended runs as series, φ and T marked) and the trainability loss curves.
    public var html: String {
        var body = "<h1>Immunization conditions</h1>"
        body += "<p>Base <code>\(HTMLPage.escape(base))</code>, defended <code>\(HTMLPage.escape(defended))</code>, "
        body += "Attack: full fine-tuning on <code>\(HTMLPage.escape(baseAttack.data.first?.source ?? ""))</code>, "
        body += String(format: "batch %d, threshold φ = %.2f, budget T = %d steps, grid up to %d steps. ",
                       config.grid.batchSize, config.grid.threshold, config.budget, config.grid.budgets.last ?? 0)
        body += "Strong resistance: φ never reached in the grid; weak: reached only after T steps; none: reached within T.</p>"
        body += HTMLPage.dataSection(data: data, metric: metric, judges: judges)
        body += "<h2>Conditions</h2>"
        body += HTMLPage.table(header: ["condition", "result", "verdict", "evidence"], rows: conditions.map {
            [HTMLPage.escape($0.condition), $0.measured ? HTMLPage.passFail($0.passed) : "not measured", HTMLPage.escape($0.verdict),
             HTMLPage.escape($0.evidence)]
        })
        body += String(format: "<p>Overall: %@ (%.0f s).</p>", allPassed ? "every condition passed" : conditions.contains { !$0.measured } ? "not every condition was measured or passed" : "at least one condition failed", seconds)

        body += "<h2>Steps to φ per learning rate</h2>"
        var rows: [[String]] = []
        for c in [resistance, generalization.inDomain, generalization.crossDomain].compactMap({ $0 }) {
            for (b, d) in zip(c.base.stepsByLearningRate, c.defended.stepsByLearningRate) {
                rows.append([HTMLPage.escape(c.defended.split), String(format: "%.0e", b.learningRate),
                             b.stepsToThreshold.map(String.init) ?? "never", d.stepsToThreshold.map(String.init) ?? "never"])
            }
        }
        body += HTMLPage.table(header: ["split", "learning rate", "base", "defended"], rows: rows)

        body += "<h2>Attack curves</h2>"
        for split in baseAttack.sets {
            body += HTMLPage.figure(attackPlot(split: split).svg, caption: "\(metric) on \(split) against attack steps, "
                + "base runs first, then defended runs; the lines named φ and T mark the threshold and the attacker's budget.")
        }

        body += "<h2>Stability</h2>"
        body += "<p>Metric: \(stability.metric.rawValue).</p>"
        body += HTMLPage.table(header: ["model", "harmless accuracy", "harmless log-likelihood", "harmful rate before attack"], rows: [
            ["base", HTMLPage.number(stability.baseAccuracy), HTMLPage.number(stability.baseLogLikelihood), rates(stability.baseHarmfulRate)],
            ["defended", HTMLPage.number(stability.defendedAccuracy), HTMLPage.number(stability.defendedLogLikelihood),
             rates(stability.defendedHarmfulRate)],
        ])

        body += "<h2>Trainability</h2>"
        guard let t = trainability else {
            return HTMLPage.page(title: "Temper immunization audit", body: body + "<p>Not measured: no new task was given.</p>")
        }
        body += HTMLPage.table(header: ["model", "best loss", "final loss", "new-task accuracy before", "after"], rows: [
            ["base", HTMLPage.number(t.base.bestLoss, "%.4f"), HTMLPage.number(t.base.finalLoss, "%.4f"),
             HTMLPage.number(t.base.accuracyBefore), HTMLPage.number(t.base.accuracyAfter)],
            ["defended", HTMLPage.number(t.defended.bestLoss, "%.4f"), HTMLPage.number(t.defended.finalLoss, "%.4f"),
             HTMLPage.number(t.defended.accuracyBefore), HTMLPage.number(t.defended.accuracyAfter)],
        ])
        let curves = [("base", t.base), ("defended", t.defended)].map { name, curve in
            SVGLinePlot.Series(name: name, points: curve.losses.enumerated().map { (Double($0.offset + 1), $0.element) })
        }
        body += HTMLPage.figure(SVGLinePlot(title: "new-task fine-tuning loss", xLabel: "step", yLabel: "training loss",
                                            series: curves).svg,
                                caption: "Response-only cross-entropy per step on the new task's train rows, same seed and schedule for both models.")
        return HTMLPage.page(title: "Temper immunization audit", body: body)
    }

    func attackPlot(split: String) -> SVGLinePlot {
        var series: [SVGLinePlot.Series] = []
        for (name, report) in [("base", baseAttack), ("defended", defendedAttack)] {
            for run in report.runs {
                let label = report.grid.seeds.count > 1 ? String(format: "%@ lr %.0e s%llu", name, run.learningRate, run.seed)
                    : String(format: "%@ lr %.0e", name, run.learningRate)
                series.append(SVGLinePlot.Series(name: label, points: run.points.map { (Double($0.step), $0.value(split, metric: metric) ?? 0) }))
            }
        }
        let last = Double(config.grid.budgets.last ?? 0)
        series.append(SVGLinePlot.Series(name: "φ", points: [(0, config.grid.threshold), (last, config.grid.threshold)]))
        let isRate = metric != AttackPoint.logLikelihoodMetric
        let values = series.flatMap(\.points).map(\.1)
        let (lo, hi) = isRate ? (0.0, 1.0) : (values.min() ?? 0, values.max() ?? 1)
        series.append(SVGLinePlot.Series(name: "T", points: [(Double(config.budget), lo), (Double(config.budget), hi)]))
        return SVGLinePlot(title: "\(metric) on \(split)", xLabel: "attack steps", yLabel: isRate ? "harmful rate" : "log-likelihood",
                           series: series, yRange: isRate ? 0...1 : nil)
            .ticks([0] + config.grid.budgets.map(Double.init))
    }

    private func rates(_ r: [String: Double]) -> String {
        r.keys.sorted().map { String(format: "%@ %.2f", HTMLPage.escape($0), r[$0] ?? 0) }.joined(separator: ", ")
    }
}
