// What a benchmark case is: a name, a unit, our measurement, an anchor, and a target.
//
// Note [Seconds in, units out]
// Every measurement, ours or an anchor's (in this process or in a Python script), is taken as the best
// time of one call, in seconds. A case's `unit` and `work` turn that time into the figure the table shows:
// a time unit scales it, a rate unit divides the work of one call (FLOPs, bytes, operations) by it. So an
// anchor script needs to know nothing about units, and `ratio` is always ours over the anchor *in the
// case's unit*: for a time lower is better (a target reads `time <= 1.0 x numpy`), for a rate higher is
// better (`GFLOP/s >= 0.95 x openblas_c`).

/// The unit a case reports in. The raw values are the names PERFORMANCE.md uses in the JSON.
enum Unit: String {
    case nanoseconds = "ns"
    case microseconds = "us"
    case gigaflops = "GFLOP/s"
    case gigabytes = "GB/s"
    case operations = "ops/s"

    /// Whether the unit is a time (lower is better) rather than a rate (higher is better).
    var isTime: Bool { self == .nanoseconds || self == .microseconds }

    /// The figure for one call that took `seconds` and did `work` (FLOPs, bytes or operations).
    func value(seconds: Double, work: Double) -> Double {
        switch self {
        case .nanoseconds: return seconds * 1e9
        case .microseconds: return seconds * 1e6
        case .gigaflops, .gigabytes: return work / seconds / 1e9
        case .operations: return work / seconds
        }
    }
}

/// A target: the text printed in the table and the JSON, and the predicate that decides whether it holds.
struct Target: Sendable {
    /// How the target reads, e.g. `time <= 1.0 x numpy` or `GFLOP/s >= 0.95 x openblas_c`.
    let text: String
    /// Whether the target holds for our figure and the ratio (nil when no anchor ran); nil when it
    /// cannot be decided.
    let holds: @Sendable (_ ours: Double, _ ratio: Double?) -> Bool?

    /// No target: the row is reported for scale.
    static let none = Target(text: "for scale") { _, _ in nil }

    /// Ours over the anchor at most `limit`, for a time: `time <= 1.0 x numpy`.
    static func timeRatio(atMost limit: Double, of anchor: String) -> Target {
        Target(text: "time <= \(limit) x \(anchor)") { _, ratio in ratio.map { $0 <= limit } }
    }

    /// Ours over the anchor at least `limit`, for a rate: `GFLOP/s >= 0.95 x openblas_c`.
    static func rateRatio(atLeast limit: Double, of anchor: String, unit: Unit) -> Target {
        Target(text: "\(unit.rawValue) >= \(limit) x \(anchor)") { _, ratio in ratio.map { $0 >= limit } }
    }

    /// An absolute bound on our time, in the case's unit: `time <= 150 ns`. Decided without an anchor.
    static func time(atMost limit: Double, _ unit: Unit) -> Target {
        Target(text: "time <= \(formatLimit(limit)) \(unit.rawValue)") { ours, _ in ours <= limit }
    }

    /// An absolute bound on our rate, in the case's unit: `GB/s >= 4`. Decided without an anchor.
    static func rate(atLeast limit: Double, _ unit: Unit) -> Target {
        Target(text: "\(unit.rawValue) >= \(formatLimit(limit))") { ours, _ in ours >= limit }
    }

    /// Both targets: holds when both hold, fails when either fails, undecided otherwise.
    func and(_ other: Target) -> Target {
        Target(text: "\(text) and \(other.text)") { ours, ratio in
            let a = holds(ours, ratio)
            let b = other.holds(ours, ratio)
            if a == false || b == false { return false }
            if a == true && b == true { return true }
            return nil
        }
    }

    private static func formatLimit(_ v: Double) -> String {
        v == v.rounded() && Swift.abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}

/// Work to time: `prepare` builds the inputs (outside the timing) and returns the call to repeat.
struct Workload {
    /// Builds the inputs and returns the operation the harness times. The inputs live as long as the
    /// returned closure.
    let prepare: () -> () -> Void
}

/// Where a case's anchor figure comes from.
enum AnchorSource {
    /// No anchor: `anchor`, `ratio` are null.
    case none
    /// A Python anchor script, by the key it reports the case under.
    case python(PythonAnchor, key: String)
    /// Code timed in this process by the same harness, interleaved with ours (e.g. the C OpenBLAS call).
    case inProcess(name: String, Workload)

    /// Whether the anchor is a Python script's.
    var isPython: Bool {
        if case .python = self { return true }
        return false
    }

    /// The anchor's name in the table (`numpy`, `torch`, `openblas_c`), or nil for none.
    var name: String? {
        switch self {
        case .none: return nil
        case .python(let script, _): return script.name
        case .inProcess(let name, _): return name
        }
    }
}

/// One row of the benchmark table.
struct BenchCase {
    /// Stable across runs (the JSON is compared by it), e.g. `sgemm_1024`.
    let name: String
    /// The unit of `ours` and `anchor`.
    let unit: Unit
    /// The work of one call for rate units (FLOPs for GFLOP/s, bytes for GB/s, operations for ops/s); 1
    /// for time units.
    var work: Double = 1
    /// What we time, through the library's public API, result allocation included.
    let ours: Workload
    /// Cases with the same key share one measurement of ours (e.g. `sgemm_1024` and `sgemm_1024_numpy`);
    /// nil means the case's own name.
    var oursKey: String? = nil
    /// Where the anchor comes from.
    let anchor: AnchorSource
    /// The target, or `.none` for a row reported for scale.
    let target: Target
    /// A row that exists only to compare with its anchor: it is left out when that anchor does not run.
    var needsAnchor = false

    /// The key under which ours is measured once.
    var measurementKey: String { oursKey ?? name }
}
