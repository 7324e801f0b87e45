import Foundation
import TemperHarden

extension RelearnReport {
    /// A self-contained page (inline SVG, no JavaScript): recovery curves over relearning
    /// steps per kind and learning rate, retain accuracy beside them, and the numbers.
    public var html: String {
        var body = "<h1>Relearning audit</h1><p>Base <code>\(HTMLPage.escape(base))</code>, unlearned <code>\(HTMLPage.escape(unlearned))</code>. "
        body += "Fine-tuned on \(relearnRows) forget rows (the rest, \(heldOutRows) rows, held out)"
        if let unrelatedRows { body += " and, separately, on \(unrelatedRows) unrelated benign rows" }
        body += String(format: "; %d seed(s) per learning rate, batch %d, text %@. %.0f s.</p>", config.seeds.count, config.batchSize,
                       HTMLPage.escape(template), seconds)
        if !forgetRetainOverlap.isEmpty {
            body += "<p class=\"fail\">\(forgetRetainOverlap.count) forget prompt(s) are also retain prompts: the metrics mix both sets.</p>"
        }
        body += HTMLPage.dataSection(data: data, metric: ExactMatchJudge.metricName, judges: [JudgeRecord(ExactMatchJudge())])
        body += "<h2>Before relearning</h2>"
        body += HTMLPage.table(header: ["model", "held-out forget accuracy", "held-out forget log-likelihood", "retain accuracy",
                                        "retain log-likelihood", "utility"],
                               rows: [("base", baseMetrics), ("unlearned", unlearnedMetrics)].map { name, m in
                                   [name, HTMLPage.number(m.forgetAccuracy), HTMLPage.number(m.forgetLogLikelihood), HTMLPage.number(m.retainAccuracy),
                                    HTMLPage.number(m.retainLogLikelihood), HTMLPage.number(m.utility)]
                               })
        body += "<p>Recovery = (metric after − metric of the unlearned model) / (metric of the base − metric of the unlearned model): "
            + "0 means nothing came back, 1 means back to the base. Mean ± sample sd over seeds.</p>"
        for kind in RelearnKind.allCases where curves.contains(where: { $0.kind == kind }) {
            body += "<h2>\(kind == .forgetPart ? "Relearning on the forget part" : "Fine-tuning on unrelated rows")</h2>"
            body += section(kind)
        }
        return HTMLPage.page(title: "Temper relearning audit", body: body)
    }

    func section(_ kind: RelearnKind) -> String {
        let ofKind = curves.filter { $0.kind == kind }
        let steps = [0.0] + config.budgets.map(Double.init)
        func series(_ value: (RelearnPoint) -> Double?, start: Double?) -> [SVGLinePlot.Series] {
            ofKind.map { c in
                let pts = c.points.compactMap { p in value(p).map { (Double(p.step), $0) } }
                return SVGLinePlot.Series(name: String(format: "lr %.0e", c.learningRate), points: (start.map { [(0, $0)] } ?? []) + pts)
            }
        }
        var s = ""
        s += HTMLPage.figure(SVGLinePlot(title: "held-out forget accuracy recovery", xLabel: "relearning steps", yLabel: "fraction of the gap",
                                         series: series({ $0.forgetAccuracyRecovery?.mean }, start: 0)).ticks(steps).svg,
                             caption: "Exact-match accuracy on the held-out forget rows, as a fraction of the gap between the unlearned and the base model "
                                 + "(no line: the two models have the same accuracy, so recovery is undefined).")
        s += HTMLPage.figure(SVGLinePlot(title: "held-out forget log-likelihood recovery", xLabel: "relearning steps", yLabel: "fraction of the gap",
                                         series: series({ $0.forgetLogLikelihoodRecovery?.mean }, start: 0)).ticks(steps).svg,
                             caption: "Mean per-token log-likelihood of the held-out forget answers (teacher forcing), as a fraction of the same gap.")
        s += HTMLPage.figure(SVGLinePlot(title: "retain accuracy", xLabel: "relearning steps", yLabel: "exact match",
                                         series: series({ $0.retainAccuracy.mean }, start: unlearnedMetrics.retainAccuracy), yRange: 0...1).ticks(steps).svg,
                             caption: "Exact-match accuracy on the retain rows while relearning (step 0: the unlearned model).")
        var rows: [[String]] = []
        for c in ofKind {
            for p in c.points {
                rows.append([String(format: "%.0e", c.learningRate), "\(p.step)", p.forgetAccuracy.formatted(), p.forgetAccuracyRecovery?.formatted() ?? "—",
                             p.forgetLogLikelihood.formatted(), p.forgetLogLikelihoodRecovery?.formatted() ?? "—", p.retainAccuracy.formatted(),
                             p.utility?.formatted() ?? "—", "\(p.forgetAccuracy.n)"])
            }
        }
        s += HTMLPage.table(header: ["lr", "step", "forget accuracy", "recovery", "forget log-likelihood", "recovery", "retain accuracy", "utility", "seeds"],
                            rows: rows)
        let worst = worstCase.filter { $0.kind == kind }
        s += "<p>Worst case over learning rates (largest mean recovery):</p>"
        s += HTMLPage.table(header: ["step", "accuracy recovery", "at lr", "log-likelihood recovery", "at lr"], rows: worst.map { w in
            ["\(w.step)", HTMLPage.number(w.accuracyRecovery), w.accuracyLearningRate.map { String(format: "%.0e", $0) } ?? "—",
             HTMLPage.number(w.logLikelihoodRecovery), w.logLikelihoodLearningRate.map { String(format: "%.0e", $0) } ?? "—"]
        })
        return s
    }
}
