import NIOCore

// Note [Streams on their event loop]
// A stream's reader and writer tasks run on the event loop of the stream's connection, not on Swift's
// cooperative threads. A message that arrives then reaches the task that reads it on the thread that
// read it from the socket, and a frame the task writes goes to the socket from that same thread: no
// thread wake-up between the socket and our code, in either direction. With the default executor, a
// round trip pays four of them (two on each side), which is most of what a small send and get costs
// over the bare engine. The tasks never block (the worker runs requests on its execution thread, and a
// client's caller waits on its own thread), so they keep the loop free for its other channels.

/// A task executor that runs jobs on one NIO event loop (Note [Streams on their event loop]).
///
/// ```swift
/// let executor = EventLoopExecutor(group.next())
/// await withTaskExecutorPreference(executor) { await readStream() }
/// ```
final class EventLoopExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
