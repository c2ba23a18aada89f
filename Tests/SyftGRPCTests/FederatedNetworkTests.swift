import Foundation
import SyftCore
import SyftGRPC
import SyftNN
import SyftRemote
import XCTest
import _WorkerProcessSupport

/// Federated averaging across processes: two worker processes each hold half of the digits training data,
/// registered with `--data`; the MLP reaches the accuracy it reaches on virtual workers (>= 0.93).
final class FederatedNetworkTests: XCTestCase {
    func testFederatedDigitsOnWorkerProcesses() throws {
        let data = try TabularData(csv: dataPath("digits.csv"), target: "label")
        let (train, test) = data.split(testFraction: 0.2, seed: 0)
        let scaler = Standardizer(fitting: train.features)
        let xs = scaler.transform(train.features)
        let half = train.count / 2
        let dir = try temporaryDirectory()
        func writeCSV(_ rows: Range<Int>, _ name: String) throws -> String {
            let features = xs[rows].contiguous().floats
            let columns = xs.shape[1]
            var text = (0..<columns).map { "f\($0)" }.joined(separator: ",") + ",label\n"
            for (r, row) in rows.enumerated() {
                text += features[(r * columns)..<((r + 1) * columns)].map { String($0) }.joined(
                    separator: ",")
                text += ",\(Int(train.targetValues[row]))\n"
            }
            let url = dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let bobProcess = try startWorker(
            "bob", ["--data", try writeCSV(0..<half, "bob.csv"), "--tag", "#digits"])
        let aliceProcess = try startWorker(
            "alice", ["--data", try writeCSV(half..<train.count, "alice.csv"), "--tag", "#digits"])
        let secureProcess = try startWorker("secure_worker")
        let bob = try bobProcess.connect()
        let alice = try aliceProcess.connect()
        let secure = try secureProcess.connect()
        let datasets = try [bob, alice].map { w in
            FederatedDataset(features: try w.search("#digits")[0], targets: try w.search("#digits_labels")[0])
        }
        XCTAssertEqual(datasets.map(\.count), [half, train.count - half])
        var seed: UInt64 = 20
        let makeModel = { () -> Sequential in
            seed += 1
            let g = Generator(seed: seed)
            return Sequential(Linear(64, 64, generator: g), ReLU(), Linear(64, 10, generator: g))
        }
        let model = makeModel()
        try federatedAveraging(
            model, on: datasets, aggregator: secure, task: .classify, rounds: 10, localEpochs: 2,
            batchSize: 32,
            makeModel: makeModel, makeOptimizer: { SGD($0, lr: 0.1) })
        XCTAssertTrue(model.parameters().allSatisfy { $0.value.isLocal })
        XCTAssertEqual(try secure.objectInfos().count, 0)
        XCTAssertEqual(try bob.objectInfos().count, 2, "only the registered data is left")
        let result = evaluate(
            model, features: scaler.transform(test.features), targets: test.classLabels(), task: .classify)
        print("federated digits MLP on worker processes: test accuracy \(result.accuracy!)")
        XCTAssertGreaterThanOrEqual(result.accuracy!, 0.93)
        assertSyftError(try datasets[0].features.get()) {
            if case .permissionDenied = $0 { return true }; return false
        }
    }
}
