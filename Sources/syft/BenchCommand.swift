import ArgumentParser
import Foundation
import SyftJobs

/// `syft bench`: the benchmark table, by running the `syft-bench` program.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run the benchmark table of `make bench` (the syft-bench program), with a filter.",
        discussion: """
            syft bench runs the syft-bench program built beside syft (the release build when there is one; \
            `make bench` or `swift build -c release --product syft-bench` builds it). The table is printed \
            and kept in the run folder with the JSON report.

            Example:
              syft bench --filter sgemm
            """
    )

    @Option(help: "Run the cases whose name contains this (all when empty).")
    var filter = ""
    @Flag(help: "Print the case names and stop.")
    var list = false
    @Flag(help: "Run no Python anchor (NumPy, PyTorch).")
    var noPython = false
    @Option(help: "The syft-bench program (default: found beside syft).")
    var program: String?
    @Option(help: "The run folder (default: a new folder under runs/).")
    var out: String?

    func run() throws {
        let options = BenchOptions(filter: filter, list: list, python: !noPython, out: out, program: program)
        let status: Int32
        let stop = StopFlag()
        let handler = InterruptHandler(stopping: stop)
        defer { withExtendedLifetime(handler) {} }
        do {
            status = try BenchJob(options).run(in: JobEnvironment(stop: stop))
        } catch {
            FileHandle.standardError.write(Data("syft bench: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if status != 0 { throw ExitCode(status) }
    }
}
