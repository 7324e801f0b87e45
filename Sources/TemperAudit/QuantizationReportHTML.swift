import Foundation
import TemperHarden

extension QuantizationReport {
    /// The standalone page: data, then the quantization section.
    public var html: String {
        var body = "<h1>Quantization audit</h1><p>Base <code>\(HTMLPage.escape(base))</code>, defended <code>\(HTMLPage.escape(defended))</code>. "
        body += String(format: "%.0f s.</p>", seconds)
        body += HTMLPage.dataSection(data: data, metric: judges.first?.name ?? "loglik", judges: judges)
        body += "<h2>Quantization round trip</h2>" + section
        return HTMLPage.page(title: "Temper quantization audit", body: body)
    }

    /// Plots of the first target set's first metric and log-likelihood over file types, and
    /// every number in a table (also the depth report's quantization section).
    public var section: String {
        let axis = ["F32"] + types
        let firstSet = variants.first?.measurements.first?.set ?? ""
        let firstMetric = judges.first?.name
        func series(_ value: (HarmMeasurement) -> Double?) -> [SVGLinePlot.Series] {
            ["base", "defended"].map { model in
                SVGLinePlot.Series(name: model, points: axis.enumerated().compactMap { i, type in
                    variants.first { $0.model == model && $0.type == type }?.measurements.first { $0.set == firstSet }.flatMap(value).map { (Double(i), $0) }
                })
            }
        }
        let ticks = (0..<axis.count).map(Double.init)
        let legend = axis.enumerated().map { "\($0.offset) = \($0.element)" }.joined(separator: ", ")
        var s = "<p>Each model is quantized with llama-quantize's per-tensor type mixture for the file type (from an f32 GGUF; "
            + "Temper's bit-exact quantizers) and decoded back to f32 in memory, then measured again. "
            + "Recovery = (defended after quantization − defended) / (base − defended); the base's own change is shown for reference.</p>"
        if let firstMetric {
            s += HTMLPage.figure(SVGLinePlot(title: "\(firstMetric) on \(firstSet) by quantization", xLabel: "quantization (\(legend))",
                                             yLabel: mode == .forget ? "forget accuracy" : "harmful rate",
                                             series: series { $0.harmfulRate[firstMetric] }, yRange: 0...1).ticks(ticks).svg,
                                 caption: mode == .forget ? "Exact-match accuracy on the forget rows: a rise for the defended model means quantization restored forgotten facts."
                                     : "Harmful rate under the primary judge: a rise for the defended model means quantization undid the defence.")
        }
        s += HTMLPage.figure(SVGLinePlot(title: "answer log-likelihood on \(firstSet) by quantization", xLabel: "quantization (\(legend))",
                                         yLabel: "mean log p per token", series: series { $0.logLikelihood }).ticks(ticks).svg,
                             caption: "Mean per-token log-likelihood of the reference \(mode == .forget ? "forget" : "harmful") answers (teacher forcing).")
        s += HTMLPage.table(header: ["type", "set", "metric", "base", "defended", "defended quantized", "recovery", "base quantized"], rows: recovery.map {
            [$0.type, HTMLPage.escape($0.set), HTMLPage.escape($0.metric), HTMLPage.number($0.base), HTMLPage.number($0.defended),
             HTMLPage.number($0.defendedQuantized), HTMLPage.number($0.recovery), HTMLPage.number($0.baseQuantized)]
        })
        s += HTMLPage.table(header: ["model", "type", "retain exact match", "retain log-likelihood", "tensor types"], rows: variants.map { v in
            [v.model, v.type, HTMLPage.number(v.retainAccuracy), HTMLPage.number(v.retainLogLikelihood),
             v.tensorTypes.isEmpty ? "as loaded" : v.tensorTypes.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(separator: ", ")]
        })
        return s
    }
}
