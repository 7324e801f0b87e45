import Foundation
import TemperHarden

/// The HTML page of a degeneracy report: tables, and SVG plots drawn with `SVGLinePlot`.
enum DegeneracyReportHTML {
    static func page(_ r: DegeneracyReport) -> String {
        let models = [r.model] + (r.compare.map { [$0] } ?? [])
        var body = "<h1>Degeneracy audit</h1><p>Data: \(HTMLPage.escape(r.data)); \(r.model.tokens) tokens "
        body += "(\(r.model.harmfulTokens) harmful / \(r.model.harmlessTokens) harmless prompt tokens); threshold \(r.settings.threshold), "
        body += "\(r.settings.intervals) integration intervals, basis formula \(HTMLPage.escape(r.settings.basisFormula)).</p>"
        for m in models { body += modelSection(m) }
        if models.count == 2 { body += comparison(models[0], models[1]) }
        return HTMLPage.page(title: "Degeneracy audit", body: body)
    }

    static func modelSection(_ m: DegeneracyReport.Model) -> String {
        var s = "<h2>\(HTMLPage.escape(m.path))</h2>"
        let rows = m.layers.map { l -> [String] in
            [HTMLPage.escape(l.name), "\(l.hidden)", l.basis, l.activationRank.map(String.init) ?? "—", l.interactionRank.map(String.init) ?? "—",
             l.effectiveInteractionRank.map(String.init) ?? "—",
             HTMLPage.number(l.harmful?.interactionFraction), HTMLPage.number(l.harmful?.effectiveFraction),
             HTMLPage.number(l.harmful?.pcaEffectiveFraction), HTMLPage.number(l.ablation?.baseline)]
        }
        s += HTMLPage.table(header: ["layer", "hidden", "basis", "activation rank", "interaction rank", "99% Λ rank", "harmful Δ in kept dirs",
                                     "in 99% Λ dirs", "in as many PCA dirs", "loss"], rows: rows)
        let ranked = m.layers.enumerated().filter { $0.element.activationRank != nil }
        let plot = SVGLinePlot(title: "Kept ranks per layer", xLabel: "node layer (logits last)", yLabel: "directions kept", series: [
            .init(name: "activation", points: ranked.map { (Double($0.offset), Double($0.element.activationRank ?? 0)) }),
            .init(name: "interaction", points: ranked.map { (Double($0.offset), Double($0.element.interactionRank ?? 0)) }),
        ], yRange: 0...Double(max(1, m.layers.map(\.width).max() ?? 1))).ticks(ranked.map { Double($0.offset) })
        s += HTMLPage.figure(plot.svg, caption: "Directions kept per node layer: Gram eigenvalues above the threshold (activation rank) and Λ above it (interaction rank).")
        let spectra = m.layers.filter { $0.lambda != nil }.prefix(8).map { l in
            SVGLinePlot.Series(name: l.name, points: (l.lambda ?? []).enumerated().compactMap { i, v in v > 0 ? (Double(i), log10(v)) : nil })
        }
        if !spectra.isEmpty {
            s += HTMLPage.figure(SVGLinePlot(title: "Λ spectra", xLabel: "direction (sorted)", yLabel: "log10 Λ", series: Array(spectra)).svg,
                                 caption: "Λ of each interaction direction, largest first; the threshold is at log10 = \(HTMLPage.number(log10(1e-5), "%.0f")) by default.")
        }
        for l in m.layers { if let a = l.ablation { s += ablationFigure(l.name, a) } }
        for e in m.edges { s += edgeFigure(e) }
        if !m.units.isEmpty {
            s += "<h3>Unit degeneracy (MLP gate sign patterns)</h3>"
            s += HTMLPage.table(header: ["block", "units", "never on", "always on", "distinct patterns", "shared groups", "units in shared groups", "redundant"],
                                rows: m.units.map { ["\($0.block)", "\($0.units)", "\($0.neverActive)", "\($0.alwaysActive)", "\($0.distinctPatterns)",
                                                     "\($0.sharedGroups)", "\($0.unitsInSharedGroups)", "\($0.redundant)"] })
        }
        return s
    }

    static func ablationFigure(_ name: String, _ a: AblationCurve) -> String {
        let plot = SVGLinePlot(title: "Ablation at \(name)", xLabel: "directions kept (smallest removed first)", yLabel: "loss", series: [
            .init(name: "interaction basis", points: zip(a.kept, a.interactionLoss).map { (Double($0), $1) }),
            .init(name: "PCA basis", points: zip(a.kept, a.pcaLoss).map { (Double($0), $1) }),
            .init(name: "unablated", points: [(Double(a.kept.first ?? 0), a.baseline), (Double(a.kept.last ?? 0), a.baseline)]),
        ])
        return HTMLPage.figure(plot.svg, caption: "Next-token loss with only the top-k directions of \(name) kept; lower at equal k is better.")
    }

    /// The 30 strongest edges (by |weight|) among the first 12 directions of each side, as a two-column graph.
    static func edgeFigure(_ e: DegeneracyReport.Edges) -> String {
        let w = e.interaction.weights
        let nOut = min(12, w.count), nIn = min(12, w.first?.count ?? 0)
        var all: [(i: Int, j: Int, v: Double)] = []
        for i in 0..<nOut { for j in 0..<nIn { all.append((i, j, abs(w[i][j]))) } }
        let top = all.sorted { $0.v > $1.v }.prefix(30)
        let maxV = top.first?.v ?? 1
        func y(_ k: Int) -> Double { 30 + Double(k) * 22 }
        var s = ##"<svg xmlns="http://www.w3.org/2000/svg" width="420" height="\##(Int(y(12) + 10))" font-family="sans-serif" font-size="11">"##
        s += ##"<text x="10" y="16" font-weight="bold">\##(HTMLPage.escape(e.from)) → \##(HTMLPage.escape(e.to)) (strongest edges)</text>"##
        for edge in top where maxV > 0 {
            let width = 0.5 + 5 * edge.v / maxV
            s += ##"<line x1="100" y1="\##(y(edge.j))" x2="320" y2="\##(y(edge.i))" stroke="#1f77b4" stroke-opacity="\##(String(format: "%.2f", 0.2 + 0.8 * edge.v / maxV))" stroke-width="\##(String(format: "%.2f", width))"/>"##
        }
        for j in 0..<nIn { s += ##"<circle cx="100" cy="\##(y(j))" r="5" fill="#555"/><text x="90" y="\##(y(j) + 4)" text-anchor="end">\##(j)</text>"## }
        for i in 0..<nOut { s += ##"<circle cx="320" cy="\##(y(i))" r="5" fill="#555"/><text x="330" y="\##(y(i) + 4)">\##(i)</text>"## }
        s += "</svg>"
        let caption = "Interaction graph edges (direction j of \(e.from) → i of \(e.to), first 12 directions each). Edge sparsity: top 1% of edges hold "
            + "\(HTMLPage.number(e.interaction.top1PercentMass)) of the mass in the interaction basis vs \(HTMLPage.number(e.pca.top1PercentMass)) in the PCA basis."
        return HTMLPage.figure(s, caption: caption)
    }

    static func comparison(_ a: DegeneracyReport.Model, _ b: DegeneracyReport.Model) -> String {
        var s = "<h2>Base vs compared model</h2>"
        let names = a.layers.map(\.name)
        let rows = names.map { name -> [String] in
            let x = a.layers.first { $0.name == name }, y = b.layers.first { $0.name == name }
            return [HTMLPage.escape(name), x?.interactionRank.map(String.init) ?? "—", y?.interactionRank.map(String.init) ?? "—",
                    HTMLPage.number(x?.harmful?.interactionFraction), HTMLPage.number(y?.harmful?.interactionFraction),
                    HTMLPage.number(x?.harmful?.norm), HTMLPage.number(y?.harmful?.norm)]
        }
        s += HTMLPage.table(header: ["layer", "interaction rank (base)", "(compared)", "harmful Δ in kept dirs (base)", "(compared)", "‖Δ‖ (base)", "(compared)"], rows: rows)
        func series(_ m: DegeneracyReport.Model, _ label: String) -> SVGLinePlot.Series {
            .init(name: label, points: m.layers.enumerated().compactMap { i, l in l.harmful.map { (Double(i), $0.interactionFraction) } })
        }
        let plot = SVGLinePlot(title: "Harmful-direction share in kept interaction directions", xLabel: "node layer", yLabel: "share of ‖Δ‖²",
                               series: [series(a, "base"), series(b, "compared")], yRange: 0...1)
        s += HTMLPage.figure(plot.svg, caption: "Share of the harmful-minus-harmless mean activation difference inside the kept interaction directions, per layer.")
        return s
    }
}
