import Foundation

// Note [The execution thread]
// A worker runs requests on one thread of its own, never on a Swift concurrency or event-loop thread: a
// request may block on another worker (a pointer to a pointer: remoteGet, backward or grad through the
// chain wait for that worker's answer), and blocking the event loop or one of the few cooperative threads
// could starve the very tasks that deliver that answer. Connections decode and encode on their tasks (on
// the connections' event loop, Note [Streams on their event loop]) and hand decoded batches to this
// thread, which runs them one at a time (the runtime's store has one lock anyway, Note [Executing
// requests]). A batch that can wait on nothing and is known to be short runs on its connection's task
// instead (Note [Answering on the stream's task]).

/// A thread that runs jobs one at a time, in the order they were submitted.
final class ExecutionThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopping = false

    init(name: String) {
        let thread = Thread { [self] in
            // Named from the thread itself, so that the system knows the name too (top -H, perf, gdb); on
            // Linux, Foundation passes it on only for the current thread.
            Thread.current.name = name
            loop()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Runs `body` on the thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            submit { continuation.resume(returning: body()) }
        }
    }

    /// Ends the thread once the jobs submitted so far have run.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func submit(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job() }
        }
    }
}
