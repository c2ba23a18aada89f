import Foundation

/// One measured row: what the table prints and the JSON holds (PERFORMANCE.md's form).
struct Row {
    /// The case's stable name.
    var name: String
    /// The unit of `ours` and `anchor`.
    var unit: Unit
    /// Our figure, in `unit`.
    var ours: Double
    /// The anchor's name, or nil for a case without one.
    var anchorName: String?
    /// The anchor's figure in `unit`, or nil when no anchor ran.
    var anchor: Double?
    /// The target's text.
    var target: String
    /// Whether the target holds; nil when it cannot be decided (no anchor ran, or no target).
    var holds: Bool?

    /// Ours over the anchor, in the case's unit; nil when no anchor ran.
    var ratio: Double? { anchor.map { ours / $0 } }
}

// MARK: - The printed table

/// The table as printed on stdout: one line per row, columns aligned.
func renderTable(_ rows: [Row]) -> String {
    let header = ["case", "ours", "unit", "anchor name", "anchor", "ratio", "target", "holds"]
    let lines = rows.map { row in
        [
            row.name, formatFigure(row.ours), row.unit.rawValue, row.anchorName ?? "-",
            row.anchor.map(formatFigure) ?? "-", row.ratio.map { String(format: "%.3f", $0) } ?? "-",
            row.target, row.holds.map { $0 ? "yes" : "NO" } ?? "-",
        ]
    }
    let all = [header] + lines
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    // Names and texts align left, numbers right.
    let rightAligned: Set<Int> = [1, 4, 5]
    func line(_ cells: [String]) -> String {
        cells.indices.map { i in
            let pad = String(repeating: " ", count: widths[i] - cells[i].count)
            return rightAligned.contains(i) ? pad + cells[i] : cells[i] + pad
        }.joined(separator: "  ").trimmingTrailingSpaces()
    }
    let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
    let legend =
        "ratio = ours / anchor in the case's unit: for a time (ns, us) lower is better, "
        + "for a rate (GFLOP/s, GB/s, ops/s) higher is better; \"-\" = no anchor ran."
    return ([line(header), rule] + lines.map(line) + [legend]).joined(separator: "\n")
}

/// Four significant figures or so: `318.2`, `10612`, `0.4213`.
func formatFigure(_ v: Double) -> String {
    guard v.isFinite else { return String(v) }
    let magnitude = Swift.abs(v)
    if magnitude >= 1000 { return String(format: "%.0f", v) }
    if magnitude >= 100 { return String(format: "%.1f", v) }
    if magnitude >= 10 { return String(format: "%.2f", v) }
    return String(format: "%.3f", v)
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

// MARK: - The JSON

/// The report as JSON, in PERFORMANCE.md's form: `machine`, `date`, `cases` (`name`, `unit`, `ours`,
/// `anchor_name`, `anchor`, `ratio`, `target`, `holds`), keys in that order, null where no anchor ran.
func renderJSON(_ rows: [Row], machine: String, date: String) -> String {
    let cases = rows.map { row in
        let fields: [(String, String)] = [
            ("name", jsonString(row.name)),
            ("unit", jsonString(row.unit.rawValue)),
            ("ours", jsonNumber(row.ours)),
            ("anchor_name", row.anchorName.map(jsonString) ?? "null"),
            ("anchor", row.anchor.map(jsonNumber) ?? "null"),
            ("ratio", row.ratio.map(jsonNumber) ?? "null"),
            ("target", jsonString(row.target)),
            ("holds", row.holds.map { $0 ? "true" : "false" } ?? "null"),
        ]
        return "    {" + fields.map { "\(jsonString($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }
    return """
        {
          "machine": \(jsonString(machine)),
          "date": \(jsonString(date)),
          "cases": [
        \(cases.joined(separator: ",\n"))
          ]
        }

        """
}

/// Writes `text` to `path`, creating the directories on the way.
func writeFile(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
}

private func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// Six significant figures (the measurements are not more precise); null for a non-finite value.
private func jsonNumber(_ v: Double) -> String {
    guard v.isFinite else { return "null" }
    return String(format: "%.6g", v)
}

// MARK: - The machine

/// The CPU model and core count from /proc/cpuinfo, e.g. `AMD EPYC, 2 cores`.
func machineDescription() -> String {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
        return "unknown CPU, \(ProcessInfo.processInfo.activeProcessorCount) cores"
    }
    var model = "unknown CPU"
    var cores = 0
    for line in info.split(separator: "\n") {
        let parts = line.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else { continue }
        let key = parts[0].trimmingCharacters(in: .whitespaces)
        if key == "processor" { cores += 1 }
        if key == "model name" && model == "unknown CPU" {
            model = parts[1].trimmingCharacters(in: .whitespaces)
        }
    }
    return "\(model), \(cores) cores"
}

/// Now, in ISO 8601 with the time zone (UTC), to the second.
func isoDate() -> String {
    ISO8601DateFormatter().string(from: Date())
}
