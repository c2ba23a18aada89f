import Foundation

/// Line charts as a standalone SVG file, written by hand (no dependency): one panel per chart, side by
/// side, each with axes, round-number ticks, its series and a legend.
///
/// ```swift
/// let svg = SVGPlot.render([
///     .init(title: "loss", xLabel: "epoch", series: [.init(name: "train", points: [(1, 0.9), (2, 0.5)])]),
/// ])
/// try run.write(svg, to: "plot.svg")
/// ```
public enum SVGPlot {
    /// One chart.
    public struct Panel: Sendable {
        public var title: String
        public var xLabel: String
        public var series: [Series]
        public init(title: String, xLabel: String, series: [Series]) {
            self.title = title
            self.xLabel = xLabel
            self.series = series
        }
    }

    /// One line of a chart.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    static let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]
    static let panelWidth = 420.0
    static let panelHeight = 300.0
    static let margin = (left: 64.0, right: 16.0, top: 36.0, bottom: 46.0)

    /// The SVG document with `panels` side by side; a panel without points says "no data".
    public static func render(_ panels: [Panel]) -> String {
        let width = panelWidth * Double(Swift.max(panels.count, 1))
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(panelHeight))" \
            viewBox="0 0 \(Int(width)) \(Int(panelHeight))" font-family="Helvetica, Arial, sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>

            """
        for (i, panel) in panels.enumerated() { out += renderPanel(panel, originX: Double(i) * panelWidth) }
        return out + "</svg>\n"
    }

    private static func renderPanel(_ panel: Panel, originX: Double) -> String {
        let left = originX + margin.left
        let right = originX + panelWidth - margin.right
        let top = margin.top
        let bottom = panelHeight - margin.bottom
        var out = "<g>\n"
        out += text(
            panel.title, x: (left + right) / 2, y: 20, anchor: "middle",
            extra: "font-size=\"14\" font-weight=\"bold\"")
        out += text(panel.xLabel, x: (left + right) / 2, y: panelHeight - 8, anchor: "middle")
        let points = panel.series.flatMap(\.points)
        guard !points.isEmpty else {
            out += rect(left, top, right, bottom)
            out += text(
                "no data", x: (left + right) / 2, y: (top + bottom) / 2, anchor: "middle",
                extra: "fill=\"#888\"")
            return out + "</g>\n"
        }
        let xs = niceRange(points.map(\.x).min()!, points.map(\.x).max()!, integral: true)
        let ys = niceRange(points.map(\.y).min()!, points.map(\.y).max()!, integral: false)
        func px(_ x: Double) -> Double { left + (x - xs.low) / (xs.high - xs.low) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - ys.low) / (ys.high - ys.low) * (bottom - top) }
        for y in ys.ticks {
            out += line(left, py(y), right, py(y), stroke: "#e5e5e5")
            out += text(formatTick(y), x: left - 6, y: py(y) + 4, anchor: "end")
        }
        for x in xs.ticks {
            out += line(px(x), bottom, px(x), bottom + 4, stroke: "#333")
            out += text(formatTick(x), x: px(x), y: bottom + 16, anchor: "middle")
        }
        out += rect(left, top, right, bottom)
        for (i, series) in panel.series.enumerated() where !series.points.isEmpty {
            let color = colors[i % colors.count]
            let path = series.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
            if series.points.count <= 60 {
                for p in series.points {
                    out += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"2.5\" fill=\"\(color)\"/>\n"
                }
            }
            let ly = top + 14 + Double(i) * 16
            out += line(right - 110, ly - 4, right - 90, ly - 4, stroke: color, width: 2)
            out += text(series.name, x: right - 84, y: ly, anchor: "start")
        }
        return out + "</g>\n"
    }

    /// Round-number bounds and ticks covering `low...high` (about five ticks: steps of 1, 2 or 5 × 10ⁿ).
    static func niceRange(
        _ low: Double, _ high: Double, integral: Bool
    ) -> (low: Double, high: Double, ticks: [Double]) {
        var lo = low
        var hi = high
        if hi - lo < 1e-12 {
            let pad = Swift.max(Swift.abs(lo) * 0.1, integral ? 1 : 1e-3)
            lo -= pad
            hi += pad
        }
        let raw = (hi - lo) / 5
        let magnitude = Foundation.pow(10, (Foundation.log10(raw)).rounded(.down))
        var step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        if integral { step = Swift.max(1, step.rounded()) }
        let first = (lo / step).rounded(.down) * step
        let last = (hi / step).rounded(.up) * step
        var ticks: [Double] = []
        var t = first
        while t <= last + step * 1e-9 {
            ticks.append(Swift.abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return (first, last, ticks)
    }

    private static func formatTick(_ v: Double) -> String {
        if v == v.rounded() && Swift.abs(v) < 1e9 { return String(Int(v)) }
        return String(format: "%.4g", v)
    }

    private static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    private static func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1
    ) -> String {
        "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(width)\"/>\n"
    }

    private static func rect(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> String {
        "<rect x=\"\(f(x1))\" y=\"\(f(y1))\" width=\"\(f(x2 - x1))\" height=\"\(f(y2 - y1))\" fill=\"none\" stroke=\"#333\"/>\n"
    }

    private static func text(_ s: String, x: Double, y: Double, anchor: String, extra: String = "") -> String
    {
        let escaped = s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(
            of: "<", with: "&lt;"
        )
        .replacingOccurrences(of: ">", with: "&gt;")
        return "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" \(extra)>\(escaped)</text>\n"
    }
}
