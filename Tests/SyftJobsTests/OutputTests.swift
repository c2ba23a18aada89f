import Foundation
import SyftJobs
import XCTest

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// What jobs leave for people: the CSV, the SVG plot, the progress bar.
final class OutputTests: XCTestCase {
    func testMetricsCSV() {
        var table = MetricsTable(columns: ["epoch", "train_loss", "test_loss"])
        table.append([1, 0.5, nil])
        table.append([2, 0.25, 0.125])
        XCTAssertEqual(table.csv, "epoch,train_loss,test_loss\n1,0.5,\n2,0.25,0.125\n")
        XCTAssertEqual(table.series("test_loss").map(\.x), [2])
        XCTAssertEqual(table.last("train_loss"), 0.25)
    }

    func testPlotIsWellFormedSVG() throws {
        var table = MetricsTable(columns: ["epoch", "train_loss", "test_loss", "test_accuracy"])
        for e in 1...12 { table.append([Double(e), 1 / Double(e), 1.2 / Double(e), 0.5 + 0.04 * Double(e)]) }
        let svg = SVGPlot.render([
            .init(
                title: "loss <&>", xLabel: "epoch",
                series: [
                    .init(name: "train", points: table.series("train_loss")),
                    .init(name: "test", points: table.series("test_loss")),
                ]),
            .init(
                title: "accuracy", xLabel: "epoch",
                series: [.init(name: "test", points: table.series("test_accuracy"))]),
            .init(title: "empty", xLabel: "epoch", series: []),
            .init(title: "flat", xLabel: "epoch", series: [.init(name: "one", points: [(x: 1, y: 3)])]),
        ])
        let parser = XMLParser(data: Data(svg.utf8))
        XCTAssertTrue(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1680\""))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 4)
        XCTAssertTrue(svg.contains("loss &lt;&amp;&gt;"))
        XCTAssertTrue(svg.contains(">no data<"))
    }

    func testProgressBar() {
        let terminal = TextBuffer()
        let bar = ProgressBar(
            console: Console(isTerminal: true) { terminal.append($0) }, total: 10, unit: "batches")
        bar.advance(by: 4, status: "epoch 1/2")
        let text = bar.render()
        XCTAssertTrue(text.hasPrefix("[█████████░░░░░░░░░░░░░░░]  40%  4/10 batches"), text)
        XCTAssertTrue(text.contains("left  epoch 1/2"), text)
        bar.log("epoch 1/2  train loss 0.5")
        bar.finish()
        XCTAssertTrue(terminal.text.contains("\r\u{1B}[2K[█"), "the bar is drawn in place")
        XCTAssertTrue(
            terminal.text.contains("\r\u{1B}[2Kepoch 1/2  train loss 0.5\n"), "a line clears the bar first")
        // Not a terminal: only the lines.
        let plain = TextBuffer()
        let quiet = ProgressBar(
            console: Console(isTerminal: false) { plain.append($0) }, total: 10, unit: "batches")
        for _ in 0..<10 { quiet.advance() }
        quiet.log("done")
        quiet.finish()
        XCTAssertEqual(plain.text, "done\n")
    }
}
