import Dispatch
import NIOCore
import NIOPosix
import XCTest

@testable import SyftGRPC

/// The executor that keeps a stream's tasks on their connection's event loop (Note [Streams on their event
/// loop]): every job of a task that prefers it runs on the loop, after a suspension, after a resumption
/// from another thread, and in its child tasks.
final class EventLoopExecutorTests: XCTestCase {
    func testATaskThatPrefersTheLoopRunsOnIt() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopExecutor(loop)
        let seen: [Bool] = await withTaskExecutorPreference(executor) {
            var seen = [loop.inEventLoop]
            await Task.yield()
            seen.append(loop.inEventLoop)
            // Resumed from a thread of Dispatch's: the rest still runs on the loop.
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async { c.resume() }
            }
            seen.append(loop.inEventLoop)
            let children = await withTaskGroup(of: Bool.self) { tasks in
                for _ in 0..<4 { tasks.addTask { loop.inEventLoop } }
                return await tasks.reduce(into: [Bool]()) { $0.append($1) }
            }
            return seen + children
        }
        XCTAssertEqual(seen, [Bool](repeating: true, count: 7))
        XCTAssertFalse(loop.inEventLoop)
        try await group.shutdownGracefully()
    }

    func testTasksResumedFromManyThreadsAllFinishOnTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopExecutor(loop)
        let onLoop: Int = await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Bool.self) { tasks in
                for _ in 0..<500 {
                    tasks.addTask {
                        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                            DispatchQueue.global().async { c.resume() }
                        }
                        return loop.inEventLoop
                    }
                }
                return await tasks.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
        }
        XCTAssertEqual(onLoop, 500)
        try await group.shutdownGracefully()
    }
}
