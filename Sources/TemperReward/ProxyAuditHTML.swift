import Foundation
import TemperFormats

/// The proxy-human audit as one table per test set.
public enum ProxyAuditHTML {
    public static func page(_ report: ProxyAuditReport) -> String {
        var body = "<h1>Proxy-human evaluation of reward explanations</h1>"
        body += "<p>Reward \(ExplanationReportHTML.escape(report.reward)); \(report.proxySeeds) proxy initialisations per model; "
        body += "out of distribution: \(report.outOfDistributionPairs) pairs (every method's held-out explanations and \(report.freshPairs) fresh rollout pairs).</p>"
        for (title, pick) in [("Held-out explanations of the same method", \ProxyMethodResult.inDistribution),
                              ("Out of distribution", \ProxyMethodResult.outOfDistribution)] {
            body += "<h2>\(title)</h2>"
            var rows: [[String]] = []
            for m in report.methods {
                for kind in ProxyModelKind.allCases {
                    guard let s = m[keyPath: pick][kind.rawValue] else { continue }
                    func pm(_ a: Double?, _ b: Double?) -> String { a.map { String(format: "%.3f ± %.3f", $0, b ?? 0) } ?? "—" }
                    rows.append([m.method.rawValue, kind.rawValue, String(m.trainPairs),
                                 pm(s.mean.proxyPearson, s.standardDeviation.proxyPearson),
                                 pm(s.mean.proxySpearman, s.standardDeviation.proxySpearman),
                                 pm(s.mean.pairwiseAccuracy, s.standardDeviation.pairwiseAccuracy)])
                }
            }
            body += ExplanationReportHTML.table(["method", "proxy", "train pairs", "Pearson", "Spearman", "pairwise accuracy"], rows)
        }
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Reward explanations audit</title><style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}</style></head><body>\(body)</body></html>\n"
    }
}
