import Foundation
import TemperHarden
import TemperModels

extension DepthReport {
    /// A self-contained page (inline SVG, no JavaScript): one plot per measure in `measures`,
    /// layers on the x axis, base / defended / attacked as series, each with its numbers.
    public var html: String {
        var body = "<h1>Depth audit</h1><p>Base <code>\(HTMLPage.escape(base))</code>, defended <code>\(HTMLPage.escape(defended))</code>"
        if let attacked { body += ", attacked <code>\(HTMLPage.escape(attacked))</code>" }
        if let unlearned { body += ", unlearned <code>\(HTMLPage.escape(unlearned))</code>" }
        body += ". \(layers) blocks; residual point 0 is the embedding output, "
        body += String(format: "point l + 1 the output of block l. %.0f s.</p>", seconds)
        body += HTMLPage.dataSection(data: data, metric: metric, judges: judges)
        for measure in measures {
            body += "<h2>\(HTMLPage.escape(measure.rawValue.prefix(1).uppercased() + measure.rawValue.dropFirst()))</h2>"
            switch measure {
            case .weightChange: body += weightChangeSection
            case .logitLens: body += logitLensSection
            case .probe: body += probeSection
            case .knowledgeProbe: body += knowledgeProbeSection
            case .attackCost: body += attackCostSection
            case .freezeAblation: body += freezeAblationSection
            case .quantization: body += quantization?.section ?? ""
            }
        }
        return HTMLPage.page(title: "Temper depth audit", body: body)
    }

    static let blockModules: [ModuleKind] = [.attention, .mlp, .norm]

    var weightChangeSection: String {
        var series: [SVGLinePlot.Series] = []
        for c in weightChange {
            for module in Self.blockModules {
                let points = c.modules.filter { $0.module == module && $0.layer != nil }
                    .compactMap { m in m.layer.map { (Double($0), m.relativeChange ?? 0) } }
                if !points.isEmpty { series.append(.init(name: "\(c.label): \(module == .attention ? "attn" : module.rawValue)", points: points)) }
            }
            series.append(.init(name: "\(c.label): block", points: c.layers.map { (Double($0.layer), $0.relativeChange ?? 0) }))
        }
        var s = HTMLPage.figure(SVGLinePlot(title: "‖ΔW‖ / ‖W‖ per block (vs base)", xLabel: "block", yLabel: "relative change",
                                            series: series).ticks((0..<layers).map(Double.init)).svg,
                                caption: "Relative L2 change of each block's attention (attn), MLP and norm weights, and of the whole block, "
                                    + "against the base model; the table adds the embeddings, final norm and head.")
        var rows: [[String]] = []
        for c in weightChange {
            for m in c.modules {
                rows.append([HTMLPage.escape(c.label), m.layer.map(String.init) ?? "outside blocks", m.module.rawValue,
                             HTMLPage.number(m.relativeChange, "%.3g"), HTMLPage.number(m.changeNorm, "%.3g")])
            }
            rows.append([HTMLPage.escape(c.label), "files", "changed tensors", "\(c.changedTensorFiles.count) of \(c.tensors.count)", ""])
        }
        s += HTMLPage.table(header: ["model", "block", "module", "‖ΔW‖/‖W‖", "‖ΔW‖"], rows: rows)
        return s
    }

    var residualAxis: [Double] { (0...layers).map(Double.init) }

    var logitLensSection: String {
        let series = logitLens.map { SVGLinePlot.Series(name: $0.model, points: Array(zip(residualAxis, $0.values))) }
        var s = HTMLPage.figure(SVGLinePlot(title: "harmful log-likelihood through lm_head(final_norm(h))", xLabel: "residual point",
                                            yLabel: "mean log p per token", series: series).ticks(residualAxis).svg,
                                caption: "Mean log-probability of the reference harmful response tokens (\(lensSets.joined(separator: ", "))) "
                                    + "decoded from each residual point; the last point is the model's own output.")
        s += HTMLPage.table(header: ["model"] + (0...layers).map { "point \($0)" },
                            rows: logitLens.map { [HTMLPage.escape($0.model)] + $0.values.map { HTMLPage.number($0) } })
        return s
    }

    var probeSection: String {
        var series = probe.map { p in SVGLinePlot.Series(name: p.model, points: p.points.map { (Double($0.residualIndex), $0.testAccuracy) }) }
        series.append(.init(name: "chance", points: [(0, 0.5), (Double(layers), 0.5)]))
        var s = HTMLPage.figure(SVGLinePlot(title: "prompt type: harmful vs harmless prompts (held-out accuracy)", xLabel: "residual point",
                                            yLabel: "accuracy", series: series, yRange: 0...1).ticks(residualAxis).svg,
                                caption: "Logistic regression on the residual stream (\(probePooling.rawValue)), "
                                    + "\(probeTrainExamples) training and \(probeTestExamples) held-out prompts, balanced classes. "
                                    + "Harmful and harmless prompts differ in vocabulary, so this probe reads the prompt's type, not what the model "
                                    + "knows; the knowledge probe below decodes the answers themselves.")
        s += HTMLPage.table(header: ["model"] + (0...layers).map { "point \($0) test / train" }, rows: probe.map { p in
            [HTMLPage.escape(p.model)] + p.points.map { String(format: "%.2f / %.2f", $0.testAccuracy, $0.trainAccuracy) }
        })
        return s
    }

    var knowledgeProbeSection: String {
        var s = ""
        for k in knowledgeProbe {
            var series = k.series.map { SVGLinePlot.Series(name: $0.model, points: Array(zip(residualAxis, $0.testAccuracy))) }
            series.append(.init(name: "chance", points: [(0, k.chance), (Double(layers), k.chance)]))
            s += HTMLPage.figure(SVGLinePlot(title: "answer content of \(k.sets.joined(separator: ", ")) (held-out rows)", xLabel: "residual point",
                                             yLabel: "next-token accuracy", series: series, yRange: 0...1).ticks(residualAxis).svg,
                                 caption: "A softmax probe per residual point predicts the next answer token at the answer positions "
                                     + "(\(k.classes) content tokens; structure tokens present in ≥ \(Int(k.config.structuralFraction * 100))% of the answers "
                                     + "left out: \(k.structuralTokens.joined(separator: " "))), trained on \(k.trainRows) rows (\(k.trainPositions) positions) "
                                     + "and scored on \(k.testRows) held-out rows (\(k.testPositions) positions). Chance "
                                     + String(format: "%.2f", k.chance) + " = the most frequent training answer token after the same current token, "
                                     + "what the token embedding alone allows.")
            s += HTMLPage.table(header: ["model"] + (0...layers).map { "point \($0) test / train" }, rows: k.series.map { p in
                [HTMLPage.escape(p.model)] + zip(p.testAccuracy, p.trainAccuracy).map { String(format: "%.2f / %.2f", $0, $1) }
            })
        }
        return s
    }

    var attackCostSection: String {
        let costs = attackCost ?? []
        let series = zip(["base", "defended"], costs).map { name, c in
            SVGLinePlot.Series(name: name, points: c.stepsByLearningRate.map { (log10($0.learningRate), Double($0.stepsToThreshold ?? c.longestRun)) })
        }
        let longest = costs.first?.longestRun ?? 0
        var s = HTMLPage.figure(SVGLinePlot(title: "attack steps to φ", xLabel: "log10 learning rate", yLabel: "steps to φ",
                                            series: series, yRange: 0...Double(max(1, longest))).ticks(config.grid.learningRates.map(log10)).svg,
                                caption: "Fine-tuning steps on \(attackedSet) until \(metric) reaches φ = \(config.grid.threshold); "
                                    + "a point at the top (\(longest) steps) means φ was not reached in the grid (see the table).")
        var rows: [[String]] = []
        for (name, c) in zip(["base", "defended"], costs) {
            for lr in c.stepsByLearningRate {
                rows.append([name, String(format: "%.0e", lr.learningRate), lr.stepsToThreshold.map(String.init) ?? "not reached"])
            }
            rows.append([name, "after \(c.longestRun) steps", String(format: "harmful rate %.2f, log-likelihood %.3f",
                                                                     c.postAttackHarmfulRate, c.postAttackLogLikelihood)])
        }
        s += HTMLPage.table(header: ["model", "learning rate", "steps to φ"], rows: rows)
        return s
    }

    var freezeAblationSection: String {
        let results = freezeAblation ?? []
        let ks = results.map { Double($0.frozenThrough) }
        var series = [SVGLinePlot.Series(name: "frozen ≤ k", points: results.map { (Double($0.frozenThrough), $0.postAttackHarmfulRate) })]
        if let lo = ks.min(), let hi = ks.max() {
            for (name, c) in zip(["base", "defended"], attackCost ?? []) {
                series.append(.init(name: name, points: [(lo, c.postAttackHarmfulRate), (hi, c.postAttackHarmfulRate)]))
            }
        }
        var s = HTMLPage.figure(SVGLinePlot(title: "post-attack harmful rate by frozen depth", xLabel: "blocks ≤ k frozen during the defence",
                                            yLabel: "harmful rate after attack", series: series, yRange: 0...1).ticks(ks).svg,
                                caption: "The defence rerun with blocks 0…k frozen, then attacked with the same grid (mean harmful rate on "
                                    + "\(attackedSet) after the longest run); base and defended (nothing frozen) as reference lines. "
                                    + "Higher means freezing weakened the defence.")
        s += HTMLPage.table(header: ["k", "model", "post-attack harmful rate", "log-likelihood"], rows: results.map {
            ["\($0.frozenThrough)", "<code>\(HTMLPage.escape($0.model))</code>", HTMLPage.number($0.postAttackHarmfulRate),
             HTMLPage.number($0.postAttackLogLikelihood)]
        })
        return s
    }
}
