import Testing
@testable import TemperHarden

@Suite struct SVGLinePlotTests {
    @Test func drawsOnePolylinePerSeriesAndEscapesText() {
        let plot = SVGLinePlot(title: "a < b & c", xLabel: "steps", yLabel: "rate",
                               series: [.init(name: "lr 1e-4", points: [(0, 0), (10, 0.5), (25, 1)]),
                                        .init(name: "lr 3e-4", points: [(0, 0), (10, 1)])], yRange: 0...1)
        let svg = plot.svg
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.hasSuffix("</svg>"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains("a &lt; b &amp; c"))
        #expect(!svg.contains("a < b"))
    }

    @Test func emptyPlotStillRenders() {
        #expect(SVGLinePlot(title: "t", xLabel: "x", yLabel: "y", series: []).svg.contains("</svg>"))
    }
}
