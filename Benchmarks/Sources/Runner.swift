// Runs the selected cases: the Python anchors they need first (one process per script), then ours case by
// case, then the Python anchors and our side of their cases once more (Note [How a case is timed]), and
// turns seconds into the rows of the table (Note [Seconds in, units out]).

/// Runs cases and their anchors into rows.
struct Runner {
    /// Times our workloads and the in-process anchors.
    var harness: Harness
    /// Whether to run the Python anchor scripts.
    var runsPython: Bool

    /// Measures `cases` in order, then the Python anchors and our side of their cases a second time
    /// (Note [How a case is timed], point 4). A case that needs its anchor is left out when the anchor did
    /// not run.
    func run(_ cases: [BenchCase]) -> [Row] {
        var python = runPythonAnchors(for: cases)
        var oursSeconds: [String: Double] = [:]
        // Cases with an anchor timed here keep the figures of their alternated batches.
        var interleaved: [String: (ours: Double, anchor: Double)] = [:]
        for c in cases {
            if c.needsAnchor && c.anchor.isPython && anchorSeconds(c, python) == nil { continue }
            if case .inProcess(_, let anchor) = c.anchor {
                let start = monotonicNanoseconds()
                let measured = harness.measure(c.ours, against: anchor)
                interleaved[c.name] = measured
                oursSeconds[c.measurementKey] = measured.ours
                note("\(c.name) and \(c.anchor.name ?? "its anchor"): \(secondsSince(start)) s")
            } else if oursSeconds[c.measurementKey] == nil {
                oursSeconds[c.measurementKey] = timeOurs(c)
            }
        }
        // The second pass: a slow spell during one pass then decides neither side of a Python anchor's ratio.
        let again = runPythonAnchors(for: cases, quiet: true)
        if !again.isEmpty {
            note("second pass over the cases with a Python anchor")
            for (script, result) in again {
                python[script] = python[script].map { $0.keepingBest(of: result) } ?? result
            }
            var remeasured: Set<String> = []
            for c in cases where anchorSeconds(c, again) != nil {
                guard remeasured.insert(c.measurementKey).inserted else { continue }
                let ours = timeOurs(c)
                oursSeconds[c.measurementKey] = Swift.min(oursSeconds[c.measurementKey] ?? ours, ours)
            }
        }
        var rows: [Row] = []
        for c in cases {
            if let measured = interleaved[c.name] {
                rows.append(row(c, ours: measured.ours, anchor: measured.anchor))
                continue
            }
            let anchor = anchorSeconds(c, python)
            if c.needsAnchor && anchor == nil { continue }
            guard let ours = oursSeconds[c.measurementKey] else { continue }
            rows.append(row(c, ours: ours, anchor: anchor))
        }
        return rows
    }

    /// The best time of one call of our side of `c`, with a progress note.
    private func timeOurs(_ c: BenchCase) -> Double {
        let start = monotonicNanoseconds()
        let ours = harness.measure(c.ours)
        note("\(c.name): \(secondsSince(start)) s")
        return ours
    }

    /// The seconds the Python anchor of `c` took, when it has one and it ran.
    private func anchorSeconds(_ c: BenchCase, _ python: [PythonAnchor: AnchorResult]) -> Double? {
        guard case .python(let script, let key) = c.anchor else { return nil }
        return python[script]?.seconds[key]
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

    /// Runs each Python anchor script the cases need, once, for all their keys (`quiet`: without the note
    /// that they are skipped).
    private func runPythonAnchors(for cases: [BenchCase], quiet: Bool = false) -> [PythonAnchor: AnchorResult]
    {
        var keys: [PythonAnchor: [String]] = [:]
        var order: [PythonAnchor] = []
        for c in cases {
            guard case .python(let script, let key) = c.anchor else { continue }
            if keys[script] == nil { order.append(script) }
            if !(keys[script, default: []].contains(key)) { keys[script, default: []].append(key) }
        }
        var results: [PythonAnchor: AnchorResult] = [:]
        guard runsPython else {
            if !order.isEmpty && !quiet { note("Python anchors skipped (--no-python)") }
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
