import Foundation
import XCTest

/// The `syft` program itself, run as a subprocess: exit codes, the one-line errors on stderr, Ctrl-C.
final class CommandLineTests: XCTestCase {
    /// The built `syft` (beside the test bundle, else in .build/debug).
    func syft() throws -> URL {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("syft"),
            Bundle(for: CommandLineTests.self).bundleURL.deletingLastPathComponent().appendingPathComponent(
                "syft"),
            repositoryRoot().appendingPathComponent(".build/debug/syft"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) })
        else {
            throw XCTSkip("the syft executable is not built (swift build --build-tests builds it)")
        }
        return found
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `syft` with `arguments` in `folder`; `whileRunning` gets the process once it has started.
    func run(
        _ arguments: [String], in folder: String, whileRunning: ((Process, Pipe) -> Void)? = nil
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = try syft()
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        whileRunning?(process, out)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    func testTrainEvalGradSucceed() throws {
        let folder = temporaryFolder(self, "cli")
        let train = try run(
            ["train", "--data", dataPath("iris.csv"), "--epochs", "3", "--model", "16,relu", "--out", "run"],
            in: folder)
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(
            train.stdout.contains("wrote run/: config.json, metrics.csv, model.safetensors, plot.svg"),
            train.stdout)
        XCTAssertFalse(train.stdout.contains("\u{1B}"), "plain lines when stdout is not a terminal")
        XCTAssertEqual(
            files(in: folder + "/run"), ["config.json", "metrics.csv", "model.safetensors", "plot.svg"])
        let again = try run(
            ["train", "--config", "run/config.json", "--epochs", "1", "--out", "again"], in: folder)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("training: 1 epoch, local"), again.stdout)
        let eval = try run(
            ["eval", "--checkpoint", "run", "--data", dataPath("iris.csv"), "--out", "eval"], in: folder)
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertTrue(eval.stdout.contains("(150 rows): accuracy"), eval.stdout)
        let grad = try run(
            [
                "grad", "--checkpoint", "run", "--data", dataPath("iris.csv"), "--batch-size", "50",
                "--max-grad-norm", "1",
                "--noise-multiplier", "1", "--out", "grad",
            ], in: folder)
        XCTAssertEqual(grad.status, 0, grad.stderr)
        XCTAssertTrue(grad.stdout.contains("0.weight [3, 16, 4]"), grad.stdout)
    }

    /// A CNN from the compact form, trained and then its per-example gradients (one batched pass).
    func testTrainAndGradACNN() throws {
        let folder = temporaryFolder(self, "cli")
        let train = try run(
            [
                "train", "--data", dataPath("digits.csv"), "--model", "image:1x8x8,conv4k3p1,relu,maxpool2",
                "--epochs", "1", "--out", "cnn",
            ], in: folder)
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(
            train.stdout.contains(
                "64 → image:1x8x8 [1, 8, 8] → conv4k3p1 [4, 8, 8] → relu → maxpool2 [4, 4, 4]"),
            train.stdout)
        let grad = try run(
            [
                "grad", "--checkpoint", "cnn", "--data", dataPath("digits.csv"), "--batch-size", "500",
                "--per-example", "--out", "grad",
            ], in: folder)
        XCTAssertEqual(grad.status, 0, grad.stderr)
        XCTAssertTrue(grad.stdout.contains("1.weight [1797, 4, 1, 3, 3], 1.bias [1797, 4]"), grad.stdout)
        let bad = try run(
            ["train", "--data", dataPath("digits.csv"), "--model", "image:1x8x8,conv4k9", "--out", "never"],
            in: folder)
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(
            bad.stderr,
            "syft train: model[1]: conv4k9 does not fit: its kernel 9×9 is larger than its input [1, 8, 8]\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/never"))
    }

    func testFederatedTrainOnVirtualWorkers() throws {
        let folder = temporaryFolder(self, "cli")
        let r = try run(
            [
                "train", "--data", dataPath("iris.csv"), "--workers", "bob,alice", "--federated", "averaging",
                "--rounds", "2",
                "--out", "fed",
            ], in: folder)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("2 rounds of federated averaging over bob, alice"), r.stdout)
        XCTAssertTrue(r.stdout.contains("round 2/2"), r.stdout)
    }

    /// Bad input: one line on stderr, exit status 1, nothing written.
    func testBadInputIsOneLineAndExitOne() throws {
        let folder = temporaryFolder(self, "cli")
        try Data("corrupt".utf8).write(to: URL(fileURLWithPath: folder + "/bad.safetensors"))
        try Data(#"{"data": "x.csv", "epoch": 2}"#.utf8).write(to: URL(fileURLWithPath: folder + "/job.json"))
        let cases: [([String], String)] = [
            (["train", "--data", "missing.csv"], "syft train: missing.csv: no such file"),
            (["train", "--data", dataPath("iris.csv"), "--target", "colour"], "no column named 'colour'"),
            (
                ["train", "--config", "job.json"],
                "syft train: job.json: epoch: unknown field (did you mean 'epochs'?)"
            ),
            (
                ["train", "--data", dataPath("iris.csv"), "--model", "64,softmax"],
                "--model[1]: unknown layer 'softmax'"
            ),
            (
                [
                    "train", "--data", dataPath("iris.csv"), "--workers", "grpc://127.0.0.1:9",
                    "--worker-token-file", "no-token",
                ],
                "syft train: worker_token_file: no-token: no such file"
            ),
            (
                ["eval", "--checkpoint", "bad.safetensors", "--data", dataPath("iris.csv")],
                "syft eval: bad.safetensors: not a valid safetensors checkpoint"
            ),
            (
                ["grad", "--checkpoint", "nothing", "--data", dataPath("iris.csv")],
                "syft grad: nothing: no such file"
            ),
        ]
        for (arguments, message) in cases {
            let r = try run(arguments, in: folder)
            XCTAssertEqual(r.status, 1, "\(arguments): \(r.stderr)")
            XCTAssertTrue(
                r.stderr.hasPrefix("syft ") && r.stderr.contains(message), "\(arguments): \(r.stderr)")
            XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, "one line: \(r.stderr)")
        }
        XCTAssertEqual(files(in: folder), ["bad.safetensors", "job.json"])
    }

    /// Ctrl-C stops after the current batch, saves, and exits with 130.
    func testInterruptSavesAndExits130() throws {
        let folder = temporaryFolder(self, "cli")
        let r = try run(
            ["train", "--data", dataPath("digits.csv"), "--epochs", "500", "--out", "run"], in: folder
        ) { process, out in
            // Wait for the first epoch's line, then interrupt.
            var seen = ""
            while !seen.contains("epoch 1/500") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen += String(decoding: chunk, as: UTF8.self)
            }
            kill(process.processIdentifier, SIGINT)
        }
        XCTAssertEqual(r.status, 130, r.stderr)
        XCTAssertTrue(r.stderr.contains("stopping after the current batch"), r.stderr)
        XCTAssertTrue(r.stdout.contains("wrote run/"), r.stdout)
        XCTAssertEqual(
            files(in: folder + "/run"), ["config.json", "metrics.csv", "model.safetensors", "plot.svg"])
        let rows = try String(contentsOfFile: folder + "/run/metrics.csv", encoding: .utf8).split(
            separator: "\n")
        XCTAssertGreaterThanOrEqual(rows.count, 2)
    }

    /// `syft bench` runs the syft-bench program built beside it.
    func testBenchListsCases() throws {
        let folder = temporaryFolder(self, "cli")
        let bench = try syft().deletingLastPathComponent().appendingPathComponent("syft-bench")
        guard FileManager.default.isExecutableFile(atPath: bench.path) else {
            throw XCTSkip("syft-bench is not built")
        }
        let list = try run(["bench", "--list", "--filter", "add_5"], in: folder)
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.split(separator: "\n").contains("add_5"), list.stdout)
        let none = try run(["bench", "--filter", "no-such-case", "--no-python", "--out", "b"], in: folder)
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("no case matches"), none.stderr)
        let missing = try run(["bench", "--program", "/nonexistent/syft-bench"], in: folder)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(
            missing.stderr.contains("syft bench: /nonexistent/syft-bench: no such program"), missing.stderr)
    }
}
