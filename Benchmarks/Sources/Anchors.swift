import Foundation

// Note [Anchor scripts]
// An anchor script (Benchmarks/numpy_bench.py, Benchmarks/torch_bench.py) is run once per benchmark run
// with the keys it should time:
//     <python> Benchmarks/numpy_bench.py --cases add_5,sgemm_1024 --budget 0.5
// and prints one JSON object on stdout:
//     {"anchor": "numpy", "version": "2.4.6", "cases": {"add_5": 3.1e-07, "sgemm_1024": 0.0119}}
// each value the best time of one call in seconds (Note [Seconds in, units out]). Keys it does not know
// are left out; on failure (e.g. `import torch` fails) it prints {"error": "..."} and exits non-zero.
// Everything else it says goes to stderr. The interpreter comes from an environment variable, so a
// machine without PyTorch simply runs no PyTorch anchor.

/// A Python script that times anchor cases.
struct PythonAnchor: Hashable {
    /// The anchor's name in the table and the JSON (`numpy`, `torch`).
    let name: String
    /// The script's file name in `Benchmarks/`.
    let script: String
    /// The environment variable naming the interpreter.
    let interpreterVariable: String
    /// The interpreter when the variable is unset, or nil to skip the anchor then.
    let defaultInterpreter: String?

    /// NumPy, with `python3` unless `SYFT_NUMPY_PYTHON` names another interpreter.
    static let numpy = PythonAnchor(
        name: "numpy", script: "numpy_bench.py", interpreterVariable: "SYFT_NUMPY_PYTHON",
        defaultInterpreter: "python3")
    /// PyTorch, only when `SYFT_TORCH_PYTHON` names an interpreter that has it (never in CI).
    static let torch = PythonAnchor(
        name: "torch", script: "torch_bench.py", interpreterVariable: "SYFT_TORCH_PYTHON",
        defaultInterpreter: nil)

    /// The interpreter to run the script with, or nil when this anchor is not configured.
    var interpreter: String? {
        if let value = ProcessInfo.processInfo.environment[interpreterVariable], !value.isEmpty {
            return value
        }
        return defaultInterpreter
    }
}

/// What an anchor script measured.
struct AnchorResult {
    /// The anchor library's version, as the script reports it.
    var version: String
    /// The best time of one call, in seconds, by case key.
    var seconds: [String: Double]

    /// The best of this run's and `other`'s time for each key.
    func keepingBest(of other: AnchorResult) -> AnchorResult {
        AnchorResult(version: version, seconds: seconds.merging(other.seconds) { Swift.min($0, $1) })
    }
}

/// Runs `anchor`'s script for `keys` and returns what it measured, or nil (with a note on stderr) when the
/// anchor is not configured or fails.
func runPythonAnchor(_ anchor: PythonAnchor, keys: [String], budgetSeconds: Double) -> AnchorResult? {
    guard let interpreter = anchor.interpreter else {
        note("\(anchor.name): skipped (\(anchor.interpreterVariable) is not set)")
        return nil
    }
    guard let script = scriptPath(anchor.script) else {
        note("\(anchor.name): skipped (\(anchor.script) not found)")
        return nil
    }
    note("\(anchor.name): running \(interpreter) \(script) for \(keys.count) case(s)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        interpreter, script, "--cases", keys.joined(separator: ","), "--budget", String(budgetSeconds),
    ]
    let output = Pipe()
    process.standardOutput = output
    do {
        try process.run()
    } catch {
        note("\(anchor.name): could not start \(interpreter): \(error)")
        return nil
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()

    struct Report: Decodable {
        var version: String?
        var cases: [String: Double]?
        var error: String?
    }
    let report = try? JSONDecoder().decode(Report.self, from: data)
    if let error = report?.error {
        note("\(anchor.name): \(error)")
        return nil
    }
    guard process.terminationStatus == 0, let report, let cases = report.cases else {
        note("\(anchor.name): the script failed (exit status \(process.terminationStatus))")
        return nil
    }
    return AnchorResult(version: report.version ?? "?", seconds: cases)
}

/// The path of an anchor script: `Benchmarks/<file>` under the current directory, else beside this
/// source's directory (so the binary also runs from elsewhere in the source tree it was built from).
private func scriptPath(_ file: String) -> String? {
    let local = "Benchmarks/" + file
    if FileManager.default.fileExists(atPath: local) { return local }
    let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    let beside = sources.deletingLastPathComponent().appendingPathComponent(file).path
    return FileManager.default.fileExists(atPath: beside) ? beside : nil
}

/// Prints a progress or warning line on stderr (stdout carries only the table).
func note(_ message: String) {
    FileHandle.standardError.write(Data(("syft-bench: " + message + "\n").utf8))
}
