import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Note [Stopping on Ctrl-C]
// A job checks a `StopFlag` between batches. `InterruptHandler` turns SIGINT into setting that flag: the
// signal's default action is replaced by a dispatch source, whose handler runs on a queue (not inside the
// signal handler, so it may write and allocate). The job then finishes the batch it is in, saves what it
// has (the checkpoint, the metrics, the plot) and returns with `stopped` set; the command exits with 130,
// the shell's code for an interrupted program. A second Ctrl-C ends the process at once.

/// A request to stop, set from another thread (a signal, a test) and read between batches.
///
/// ```swift
/// let stop = StopFlag()
/// let handler = InterruptHandler(stopping: stop)   // Ctrl-C sets it
/// while !stop.isSet { ... }
/// ```
public final class StopFlag: Sendable {
    private let requests = Atomic<Int>(0)

    public init() {}

    /// Whether a stop was requested.
    public var isSet: Bool { requests.load(ordering: .acquiring) > 0 }

    /// Requests a stop; returns how many requests there have been, this one included.
    @discardableResult
    public func request() -> Int { requests.add(1, ordering: .acquiringAndReleasing).newValue }
}

/// Catches SIGINT while it lives (Note [Stopping on Ctrl-C]): the first sets the flag and says so on
/// stderr; a second ends the process with status 130.
public final class InterruptHandler {
    private let source: any DispatchSourceSignal

    /// Starts catching SIGINT into `flag`.
    public init(stopping flag: StopFlag) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            if flag.request() > 1 {
                FileHandle.standardError.write(Data("\ninterrupted again: stopping now\n".utf8))
                exit(130)
            }
            FileHandle.standardError.write(
                Data("\nstopping after the current batch and saving (Ctrl-C again to quit at once)\n".utf8))
        }
        source.resume()
        self.source = source
    }

    deinit {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
