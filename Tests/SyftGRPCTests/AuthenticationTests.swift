import Foundation
import SyftCore
import SyftRemote
import XCTest
import _WorkerProcessSupport

@testable import SyftGRPC

/// The token: required to start, required to connect, compared in constant time (Note [Authentication]).
final class AuthenticationTests: XCTestCase {
    func testWrongOrMissingTokenIsUnauthenticatedAndNothingRuns() throws {
        let bob = try startWorker("bob")
        assertSyftError(try bob.connect(token: "wrong")) {
            if case .unauthenticated = $0 { return true }; return false
        }
        assertSyftError(try bob.connect(token: "")) {
            if case .unauthenticated = $0 { return true }; return false
        }
        let client = try bob.connect()
        XCTAssertEqual(try client.status().objectCount, 0, "nothing of the refused calls ran")
        XCTAssertEqual(try Tensor([1, 2]).send(to: client).get().ints, [1, 2])
    }

    func testTokenFromTheEnvironment() throws {
        let bob = try startWorker(
            "bob", token: nil, environment: [workerTokenVariable: "from-the-environment"])
        let client = try bob.connect(token: "from-the-environment")
        XCTAssertEqual(try (Tensor([1.0]).send(to: client) * 3).get().floats, [3])
        assertSyftError(try bob.connect(token: "from-the-environmenT")) {
            if case .unauthenticated = $0 { return true }; return false
        }
    }

    func testAWorkerWithoutATokenDoesNotStart() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try WorkerProcess.executable())
        process.arguments = ["worker", "--id", "bob", "--port", "0"]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: workerTokenVariable)
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0)
        XCTAssertTrue(text.contains("token"), text)
    }

    func testConstantTimeComparison() {
        func equal(_ a: String, _ b: String) -> Bool { constantTimeEquals(Array(a.utf8), Array(b.utf8)) }
        XCTAssertTrue(equal("secret", "secret"))
        XCTAssertFalse(equal("secret", "secreT"))
        XCTAssertFalse(equal("secret", "secret2"))
        XCTAssertFalse(equal("", "x"))
        XCTAssertTrue(equal("", ""))
    }
}
