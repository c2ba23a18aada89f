import Foundation
import SyftJobs
import XCTest

/// A data set shipped in `Data/`.
func dataPath(_ name: String) -> String {
    repositoryRoot().appendingPathComponent("Data/\(name)").path
}

/// The package's root folder.
func repositoryRoot() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
}

/// A new empty folder under the temporary directory, removed when the test ends.
func temporaryFolder(_ test: XCTestCase, _ name: String = "job") -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
        "syft-\(name)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url.path
}

/// A job environment that collects what the job prints (not a terminal) and can be stopped.
func quietEnvironment(stop: StopFlag = StopFlag()) -> (JobEnvironment, TextBuffer) {
    let buffer = TextBuffer()
    return (JobEnvironment(console: Console(isTerminal: false) { buffer.append($0) }, stop: stop), buffer)
}

/// The files in a folder, sorted.
func files(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
}

/// Asserts that `body` throws a `JobError` whose message contains every one of `parts`.
func assertJobError<T>(
    _ body: @autoclosure () throws -> T, _ parts: String..., file: StaticString = #filePath,
    line: UInt = #line
) {
    do {
        _ = try body()
        XCTFail("expected a JobError containing \(parts)", file: file, line: line)
    } catch let error as JobError {
        let message = error.description
        XCTAssertFalse(message.contains("\n"), "not one line: \(message)", file: file, line: line)
        for part in parts {
            XCTAssertTrue(message.contains(part), "'\(message)' lacks '\(part)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected a JobError, got \(error)", file: file, line: line)
    }
}
