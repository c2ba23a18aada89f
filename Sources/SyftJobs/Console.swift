import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a job tells the user what it does, and whether that is a terminal (a live progress bar) or a
/// file or pipe (plain lines only).
///
/// ```swift
/// let console = Console.standardOutput            // a bar when stdout is a terminal (isatty)
/// let buffer = TextBuffer()
/// let quiet = Console(isTerminal: false) { buffer.append($0) }   // what tests read
/// ```
public struct Console: Sendable {
    /// Whether the output is a terminal, where a progress line can be redrawn in place.
    public var isTerminal: Bool
    private let sink: @Sendable (String) -> Void

    /// A console writing text to `sink`.
    public init(isTerminal: Bool, sink: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.sink = sink
    }

    /// Standard output, unbuffered; a terminal when `isatty(1)`.
    public static var standardOutput: Console {
        Console(isTerminal: isatty(STDOUT_FILENO) != 0) { FileHandle.standardOutput.write(Data($0.utf8)) }
    }

    /// Writes `text` as it is.
    public func write(_ text: String) { sink(text) }

    /// Writes one line.
    public func line(_ text: String) { sink(text + "\n") }
}

/// What a job needs from where it runs: where to print, and the flag that asks it to stop.
///
/// ```swift
/// let stop = StopFlag()
/// let handler = InterruptHandler(stopping: stop)     // Ctrl-C → stop between batches
/// let env = JobEnvironment(console: .standardOutput, stop: stop)
/// ```
public struct JobEnvironment: Sendable {
    public var console: Console
    public var stop: StopFlag

    public init(console: Console = .standardOutput, stop: StopFlag = StopFlag()) {
        self.console = console
        self.stop = stop
    }
}

/// Text collected from a ``Console`` (thread-safe).
public final class TextBuffer: Sendable {
    private let storage = Mutex<String>("")
    public init() {}
    public func append(_ text: String) { storage.withLock { $0 += text } }
    /// Everything written so far.
    public var text: String { storage.withLock { $0 } }
}

/// A progress bar with rate and time left, redrawn in place on a terminal; elsewhere it draws nothing
/// and only the lines given to ``log(_:)`` appear.
///
/// ```swift
/// let progress = ProgressBar(console: .standardOutput, total: 450, unit: "batches")
/// for batch in 0..<450 {
///     ...
///     progress.advance(status: "epoch 3/10")
/// }
/// progress.log("epoch 3/10  train loss 0.2310")   // printed above the bar
/// progress.finish()
/// ```
public final class ProgressBar {
    public let console: Console
    public let total: Int
    public let unit: String
    public private(set) var done = 0
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var lastDraw: ContinuousClock.Instant?
    private var status = ""
    private var drawn = false

    /// A bar for `total` units of work (at least one).
    public init(console: Console, total: Int, unit: String) {
        self.console = console
        self.total = Swift.max(total, 1)
        self.unit = unit
        start = clock.now
    }

    /// Seconds since the bar was made.
    public var elapsed: Double { seconds(clock.now - start) }

    /// Marks `count` more units done, with a short status after the bar; redraws at most ten times a second.
    public func advance(by count: Int = 1, status: String = "") {
        done = Swift.min(total, done + count)
        self.status = status
        guard console.isTerminal else { return }
        let now = clock.now
        if let lastDraw, seconds(now - lastDraw) < 0.1, done < total { return }
        lastDraw = now
        draw()
    }

    /// Prints a line; on a terminal the bar is cleared first and drawn again below it.
    public func log(_ line: String) {
        if drawn { console.write("\r\u{1B}[2K") }
        console.line(line)
        if drawn { draw() }
    }

    /// Removes the bar (on a terminal); the lines logged stay.
    public func finish() {
        if drawn { console.write("\r\u{1B}[2K") }
        drawn = false
    }

    /// The bar's text: `[#########-----------]  45%  203/450 batches  38.1/s  0:06 left  epoch 5/10`.
    public func render() -> String {
        let width = 24
        let fraction = Double(done) / Double(total)
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let left = rate > 0 ? formatDuration(Double(total - done) / rate) + " left" : "--:-- left"
        let percent = String(format: "%3d%%", Int((fraction * 100).rounded(.down)))
        var text = "[\(bar)] \(percent)  \(done)/\(total) \(unit)  \(String(format: "%.1f", rate))/s  \(left)"
        if !status.isEmpty { text += "  " + status }
        return text
    }

    private func draw() {
        console.write("\r\u{1B}[2K" + render())
        drawn = true
    }
}

/// `0:42`, `12:05`, `1:02:03`.
func formatDuration(_ seconds: Double) -> String {
    let s = Int(seconds.isFinite ? Swift.max(0, seconds).rounded() : 0)
    if s >= 3600 { return String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) }
    return String(format: "%d:%02d", s / 60, s % 60)
}

/// A duration in seconds.
func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
