import ArgumentParser
import Foundation
import SyftJobs

/// Runs a job the way every job command does: Ctrl-C asks it to stop between batches (it then saves what
/// it has), and a failure is one line on stderr (`syft train: <problem>`) with exit status 1; a stopped
/// job exits with 130.
func runJob(_ command: String, _ body: (JobEnvironment) throws(JobError) -> Bool) throws {
    let stop = StopFlag()
    let handler = InterruptHandler(stopping: stop)
    defer { withExtendedLifetime(handler) {} }
    let stopped: Bool
    do {
        stopped = try body(JobEnvironment(console: .standardOutput, stop: stop))
    } catch {
        FileHandle.standardError.write(Data("syft \(command): \(error)\n".utf8))
        throw ExitCode(1)
    }
    if stopped { throw ExitCode(130) }
}
