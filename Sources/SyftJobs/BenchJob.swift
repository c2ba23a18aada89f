import Foundation

// Note [syft bench runs syft-bench]
// The benchmark cases live in the `syft-bench` executable (Benchmarks/Sources): they link OpenBLAS
// directly for their anchors, run Python anchor scripts, and mean something only in a release build.
// `syft bench` therefore runs that program rather than sharing its code: it finds the release build
// (or, with a warning, a debug one), passes the filter on, shows the table as it comes, and keeps the
// table and the JSON report in the run folder. Building it is `make bench` or
// `swift build -c release --product syft-bench`; `syft bench` never builds anything itself.

/// What `syft bench` runs.
public struct BenchOptions: Sendable, Equatable {
    /// Run the cases whose name contains this (all when empty).
    public var filter: String
    /// Print the case names and stop.
    public var list: Bool
    /// Run the Python anchors (NumPy, PyTorch).
    public var python: Bool
    /// The run folder (default: a new folder under `runs/`).
    public var out: String?
    /// The `syft-bench` program; nil finds it (Note [syft bench runs syft-bench]).
    public var program: String?

    public init(
        filter: String = "", list: Bool = false, python: Bool = true, out: String? = nil,
        program: String? = nil
    ) {
        self.filter = filter
        self.list = list
        self.python = python
        self.out = out
        self.program = program
    }
}

/// `syft bench`: the benchmark table of `make bench`, with a filter (Note [syft bench runs syft-bench]).
///
/// ```swift
/// let status = try BenchJob(BenchOptions(filter: "sgemm")).run(in: env)   // the table, and runs/...-bench/
/// ```
public struct BenchJob {
    public let options: BenchOptions
    /// The program found.
    public let program: String

    /// Finds `syft-bench`.
    /// - Parameters:
    ///   - options: what to run (the filter, the Python anchors, the run folder).
    ///   - executable: this program's path, next to which the build puts `syft-bench`.
    /// - Throws: ``JobError/tool(_:)`` saying how to build it when it is not there.
    public init(_ options: BenchOptions, executable: String = BenchJob.currentExecutable()) throws(JobError) {
        self.options = options
        if let given = options.program {
            guard FileManager.default.isExecutableFile(atPath: given) else {
                throw .tool("\(given): no such program (the syft-bench executable)")
            }
            program = given
            return
        }
        guard let found = BenchJob.locate(near: executable) else {
            throw .tool(
                "syft-bench is not built; build it with `make bench` or `swift build -c release --product syft-bench`, "
                    + "or name it with --program")
        }
        program = found
    }

    /// The path of the running program (`/proc/self/exe` on Linux).
    public static func currentExecutable() -> String {
        Bundle.main.executablePath ?? CommandLine.arguments[0]
    }

    /// `syft-bench` in the release build folder beside this program's, else in this program's folder.
    public static func locate(near executable: String) -> String? {
        let dir = (URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent())
        let release = dir.deletingLastPathComponent().appendingPathComponent("release/syft-bench").path
        let beside = dir.appendingPathComponent("syft-bench").path
        return [release, beside].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether the program found is a release build (debug timings mean little).
    public var isRelease: Bool { program.contains("/release/") }

    /// Runs the benchmarks; returns `syft-bench`'s exit status (130 when interrupted).
    /// - Throws: ``JobError`` when the run folder cannot be made or the program cannot start.
    public func run(in env: JobEnvironment) throws(JobError) -> Int32 {
        var arguments = ["--filter", options.filter]
        if !options.python { arguments.append("--no-python") }
        if options.list { return try launch(arguments + ["--list"], env: env, run: nil) }
        let run = try RunFolder.create(out: options.out, jobName: "bench")
        if !isRelease {
            env.console.line(
                "note: \(program) is a debug build; its times are not representative (make bench builds it in release)"
            )
        }
        env.console.line("bench: \(program) --filter \"\(options.filter)\"; run folder: \(run.path)")
        let status = try launch(arguments + ["--json", run.file("bench.json")], env: env, run: run)
        env.console.line(
            status == 0
                ? "wrote \(run.path)/: table.txt, bench.json"
                : "syft-bench ended with status \(status); \(run.path)/ holds what it wrote")
        return status
    }

    /// Runs the program with `arguments`, copying its output (the table) to the console and, with a run
    /// folder, to `table.txt`. Its progress notes (stderr) pass straight through.
    private func launch(_ arguments: [String], env: JobEnvironment, run: RunFolder?) throws(JobError) -> Int32
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        let table = TextBuffer()
        let console = env.console
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else { return }
            let text = String(decoding: data, as: UTF8.self)
            table.append(text)
            console.write(text)
        }
        do {
            try process.run()
        } catch {
            throw .tool("\(program): cannot start: \(error.localizedDescription)")
        }
        process.waitUntilExit()
        pipe.fileHandleForReading.readabilityHandler = nil
        let rest = pipe.fileHandleForReading.readDataToEndOfFile()
        if !rest.isEmpty {
            let text = String(decoding: rest, as: UTF8.self)
            table.append(text)
            console.write(text)
        }
        if let run, !table.text.isEmpty { try run.write(table.text, to: "table.txt") }
        if process.terminationReason == .uncaughtSignal { return 128 + process.terminationStatus }
        return process.terminationStatus
    }
}
