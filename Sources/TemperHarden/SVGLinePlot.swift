import Foundation

/// A small, dependency-free SVG line chart (readable without JavaScript): one polyline and
/// markers per series, axes with ticks, a legend. Used by attack and audit reports.
public struct SVGLinePlot {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) { self.name = name; self.points = points }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var yRange: ClosedRange<Double>?
    /// Where to put x-axis ticks (e.g. whole layer numbers); nil: five evenly spaced ticks.
    public var xTicks: [Double]?
    public var width = 560.0, height = 320.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series], yRange: ClosedRange<Double>? = nil) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series; self.yRange = yRange
    }

    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    public var svg: String {
        let left = 60.0, right = 150.0, top = 30.0, bottom = 45.0
        let plotW = width - left - right, plotH = height - top - bottom
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xMin = xs.min() ?? 0, xMax = max(xs.max() ?? 1, xMin + 1e-9)
        let yr = yRange ?? ((ys.min() ?? 0)...(max(ys.max() ?? 1, (ys.min() ?? 0) + 1e-9)))
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotW }
        func py(_ y: Double) -> Double { top + plotH - (y - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * plotH }
        var s = ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(width))" height="\##(Int(height))" font-family="sans-serif" font-size="11">"##
        s += ##"<text x="\##(left)" y="18" font-size="13" font-weight="bold">\##(Self.escape(title))</text>"##
        s += ##"<rect x="\##(left)" y="\##(top)" width="\##(plotW)" height="\##(plotH)" fill="none" stroke="#999"/>"##
        for i in 0...4 {
            let y = yr.lowerBound + (yr.upperBound - yr.lowerBound) * Double(i) / 4
            s += ##"<line x1="\##(left)" x2="\##(left + plotW)" y1="\##(py(y))" y2="\##(py(y))" stroke="#eee"/>"##
            s += ##"<text x="\##(left - 6)" y="\##(py(y) + 4)" text-anchor="end">\##(Self.format(y))</text>"##
        }
        for x in xTicks ?? (0...4).map({ xMin + (xMax - xMin) * Double($0) / 4 }) {
            s += ##"<text x="\##(px(x))" y="\##(top + plotH + 16)" text-anchor="middle">\##(Self.format(x))</text>"##
        }
        s += ##"<text x="\##(left + plotW / 2)" y="\##(height - 8)" text-anchor="middle">\##(Self.escape(xLabel))</text>"##
        s += ##"<text transform="translate(14 \##(top + plotH / 2)) rotate(-90)" text-anchor="middle">\##(Self.escape(yLabel))</text>"##
        for (i, line) in series.enumerated() {
            let color = Self.colors[i % Self.colors.count]
            let path = line.points.map { "\(px($0.x)),\(py($0.y))" }.joined(separator: " ")
            s += ##"<polyline fill="none" stroke="\##(color)" stroke-width="2" points="\##(path)"/>"##
            for p in line.points { s += ##"<circle cx="\##(px(p.x))" cy="\##(py(p.y))" r="3" fill="\##(color)"/>"## }
            let ly = top + 12 + Double(i) * 16
            s += ##"<line x1="\##(left + plotW + 10)" x2="\##(left + plotW + 28)" y1="\##(ly - 4)" y2="\##(ly - 4)" stroke="\##(color)" stroke-width="2"/>"##
            s += ##"<text x="\##(left + plotW + 32)" y="\##(ly)">\##(Self.escape(line.name))</text>"##
        }
        return s + "</svg>"
    }

    static func format(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
        return String(format: abs(v) < 0.01 || abs(v) >= 1000 ? "%.2g" : "%.2f", v)
    }

    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
