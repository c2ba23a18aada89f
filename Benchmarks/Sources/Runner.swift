// Runs the selected cases: the Python anchors they need first (one process per script), then ours case by
// case, and turns seconds into the rows of the table (Note [Seconds in, units out]).

/// Runs cases and their anchors into rows.
struct Runner {
    /// Times our workloads and the in-process anchors.
    var harness: Harness
    /// Whether to run the Python anchor scripts.
    var runsPython: Bool

    /// Measures `cases` in order. A case that needs its anchor is left out when the anchor did not run.
    func run(_ cases: [BenchCase]) -> [Row] {
        let python = runPythonAnchors(for: cases)
        var oursSeconds: [String: Double] = [:]
        var rows: [Row] = []
        for c in cases {
            var anchorSeconds: Double?
            if case .python(let script, let key) = c.anchor {
                anchorSeconds = python[script]?.seconds[key]
                if c.needsAnchor && anchorSeconds == nil { continue }
            }
            let ours: Double
            if case .inProcess(_, let anchor) = c.anchor {
                let start = monotonicNanoseconds()
                (ours, anchorSeconds) = harness.measure(c.ours, against: anchor)
                note("\(c.name) and \(c.anchor.name ?? "its anchor"): \(secondsSince(start)) s")
            } else if let known = oursSeconds[c.measurementKey] {
                ours = known
            } else {
                let start = monotonicNanoseconds()
                ours = harness.measure(c.ours)
                note("\(c.name): \(secondsSince(start)) s")
            }
            oursSeconds[c.measurementKey] = ours
            rows.append(row(c, ours: ours, anchor: anchorSeconds))
        }
        return rows
    }

    /// The row of case `c` from the best times of one call, in seconds.
    private func row(_ c: BenchCase, ours: Double, anchor: Double?) -> Row {
        let oursValue = c.unit.value(seconds: ours, work: c.work)
        let anchorValue = anchor.map { c.unit.value(seconds: $0, work: c.work) }
        var row = Row(
            name: c.name, unit: c.unit, ours: oursValue, anchorName: c.anchor.name, anchor: anchorValue,
            target: c.target.text, holds: nil)
        row.holds = c.target.holds(oursValue, row.ratio)
        return row
    }

    /// Runs each Python anchor script the cases need, once, for all their keys.
    private func runPythonAnchors(for cases: [BenchCase]) -> [PythonAnchor: AnchorResult] {
        var keys: [PythonAnchor: [String]] = [:]
        var order: [PythonAnchor] = []
        for c in cases {
            guard case .python(let script, let key) = c.anchor else { continue }
            if keys[script] == nil { order.append(script) }
            if !(keys[script, default: []].contains(key)) { keys[script, default: []].append(key) }
        }
        var results: [PythonAnchor: AnchorResult] = [:]
        guard runsPython else {
            if !order.isEmpty { note("Python anchors skipped (--no-python)") }
            return results
        }
        for script in order {
            let start = monotonicNanoseconds()
            guard
                let result = runPythonAnchor(
                    script, keys: keys[script]!, budgetSeconds: harness.budgetSeconds)
            else { continue }
            note("\(script.name) \(result.version): \(secondsSince(start)) s")
            results[script] = result
        }
        return results
    }
}

/// The seconds elapsed since `start` (from `monotonicNanoseconds()`), for progress notes.
private func secondsSince(_ start: UInt64) -> String {
    formatFigure(Double(monotonicNanoseconds() - start) * 1e-9)
}
