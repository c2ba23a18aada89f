import SyftCore
import SyftGRPC
import SyftRemote
import XCTest
import _WorkerProcessSupport

/// How a test's workers are reached. The whole remote suite runs in each mode: in process handing
/// messages over as values, in process through the wire codec, and over gRPC to `syft worker`
/// processes the test run starts (one per worker id, shared by the tests; each test connects anew, so
/// it is a new client that sees an empty store).
enum WorkerMode: String, CaseIterable {
    case direct
    case codec
    case network
}

/// Runs `body` once per mode, with a factory for fresh workers of that mode.
func forEachMode(
    _ modes: [WorkerMode] = WorkerMode.allCases, file: StaticString = #filePath, line: UInt = #line,
    _ body: (WorkerMode, (String) throws -> any Worker) throws -> Void
) {
    for mode in modes {
        do {
            try body(mode) { id in
                switch mode {
                case .direct, .codec: return VirtualWorker(id: id, useWireCodec: mode == .codec)
                case .network: return try WorkerProcess.shared(id).connect()
                }
            }
        } catch {
            XCTFail("[\(mode)] unexpected error: \(error)", file: file, line: line)
        }
    }
}

/// The number of objects a worker holds for this client (after running everything sent).
func objectCount(_ worker: any Worker) throws -> Int { try worker.objectInfos().count }

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

/// A worker's runtime on its own, for tests that hand it requests (a pointer to another worker is an
/// error: it has no peers).
func isolatedRuntime(_ id: String) -> WorkerRuntime {
    WorkerRuntime(id: id) { p throws(SyftError) in throw .unknownWorker(id: p.location) }
}

extension Request {
    /// The `send` of `tensor` under `id`.
    static func send(_ id: ObjectID, _ tensor: Tensor, requiresGrad: Bool = false) -> Request {
        .object(
            id: id, value: .tensor(TensorPayload(tensor: tensor, requiresGrad: requiresGrad)), tags: [],
            description: "")
    }
}
