import SyftCore
import SyftRemote
import XCTest

/// How a test's workers are reached. The whole remote suite runs in each mode: in process handing
/// messages over as values, in process through the wire codec, and (SyftGRPCTests) over the network.
enum WorkerMode: String, CaseIterable {
    case direct
    case codec
}

/// Runs `body` once per mode, with a factory for fresh workers of that mode.
func forEachMode(
    _ modes: [WorkerMode] = WorkerMode.allCases, file: StaticString = #filePath, line: UInt = #line,
    _ body: (WorkerMode, (String) -> any Worker) throws -> Void
) {
    for mode in modes {
        do {
            try body(mode) { id in VirtualWorker(id: id, useWireCodec: mode == .codec) }
        } catch {
            XCTFail("[\(mode)] unexpected error: \(error)", file: file, line: line)
        }
    }
}

/// The number of objects a worker holds for this client (after running everything sent).
func objectCount(_ worker: any Worker) throws -> Int { try worker.objectInfos().count }

/// Asserts that `body` throws a `SyftError` satisfying `check`.
func assertSyftError<T>(
    _ body: @autoclosure () throws -> T, _ message: String = "", file: StaticString = #filePath, line: UInt = #line,
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
