import Foundation
import SyftCore
import SyftGRPC
import SyftRemote
import Synchronization
import XCTest
import _WorkerProcessSupport

/// Eight clients at once, each streaming commands and fetching results for a bounded time: every result
/// correct, and the worker back to its starting memory once they leave.
final class LoadTests: XCTestCase {
    func testEightClientsAtOnce() throws {
        let bob = try startWorker("bob")
        let observer = try bob.connect()
        // Warm the worker up once, so its starting memory includes what any first use allocates.
        do {
            let warm = try bob.connect()
            _ = try (Tensor.randn([256]).send(to: warm) * 2).sum().get()
            warm.disconnect()
        }
        XCTAssertTrue(try eventually { try observer.status().objectCount == 0 })
        let startMemory = try observer.status().residentBytes
        let failures = Locked<[String]>([])
        let rounds = Locked(0)
        let deadline = Date().addingTimeInterval(4)
        let group = DispatchGroup()
        for c in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let client = try bob.connect()
                    var round = 0
                    while Date() < deadline {
                        let n = 64 + (round * 37 + c * 11) % 2000
                        let values = (0..<n).map { Float(($0 + c + round) % 17) }
                        let x = try Tensor(shape: [n], scalars: values).send(to: client)
                        var y = x
                        for _ in 0..<20 { y = y * 2 - x }  // y stays 2^k x - (2^k - 1) x = x
                        let s = (y + x).sum()
                        let expected = 2 * values.reduce(0, +)
                        let got = try s.get().item()
                        if got != Double(expected) {
                            failures.withLock {
                                $0.append("client \(c) round \(round): \(got) != \(expected)")
                            }
                        }
                        if round % 5 == 0 {
                            let back = try y.get()
                            if back.floats != values {
                                failures.withLock { $0.append("client \(c) round \(round): get differs") }
                            }
                        }
                        round += 1
                    }
                    rounds.withLock { $0 += round }
                    client.disconnect()
                } catch {
                    failures.withLock { $0.append("client \(c): \(error)") }
                }
            }.start()
        }
        group.wait()
        XCTAssertEqual(failures.withLock { $0 }, [])
        XCTAssertGreaterThan(rounds.withLock { $0 }, 8)
        XCTAssertTrue(try eventually { try observer.status().objectCount == 0 })
        let status = try observer.status()
        XCTAssertEqual(status.bytesHeld, 0)
        XCTAssertEqual(status.clientsConnected, 1)
        // Resident memory back to within 32 MiB of the start (the allocator keeps some freed pages).
        XCTAssertLessThan(
            status.residentBytes, startMemory + (32 << 20),
            "resident \(status.residentBytes) from \(startMemory)")
        print(
            "load: \(rounds.withLock { $0 }) rounds by 8 clients in 4 s; worker memory \(startMemory >> 20) MiB before, \(status.residentBytes >> 20) MiB after"
        )
    }
}
