import Foundation
import SyftCore
import SyftGRPC
import SyftRemote
import XCTest
import _WorkerProcessSupport

/// Asserts that `body` throws a `SyftError` satisfying `check`.
func assertSyftError<T>(
    _ body: @autoclosure () throws -> T, _ message: String = "", file: StaticString = #filePath,
    line: UInt = #line,
    _ check: (SyftError) -> Bool
) {
    do {
        _ = try body()
        XCTFail("expected a SyftError \(message)", file: file, line: line)
    } catch let e as SyftError {
        XCTAssertTrue(check(e), "unexpected error \(e) \(message)", file: file, line: line)
    } catch {
        XCTFail("expected a SyftError, got \(error) \(message)", file: file, line: line)
    }
}

/// Waits until `condition` holds (polling), at most `seconds`; returns whether it held.
@discardableResult
func eventually(within seconds: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return try condition()
}

/// A temporary directory for one test's files.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
        "syft-grpc-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The repository's Data/ file `name`.
func dataPath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Data/\(name)").path
}

/// A worker process that a test owns (stopped at the end of the test).
extension XCTestCase {
    func startWorker(
        _ id: String, _ arguments: [String] = [], token: String? = "tok-\(UInt32.random(in: 0..<UInt32.max))",
        environment: [String: String] = [:]
    ) throws -> WorkerProcess {
        let w = try WorkerProcess(id: id, arguments: arguments, token: token, environment: environment)
        addTeardownBlock { w.stop(signal: SIGKILL) }
        return w
    }
}
