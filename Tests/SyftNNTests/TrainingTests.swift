import Foundation
import SyftCore
import SyftNN
import XCTest

/// Real models on the shipped data sets reach the accuracy.
final class TrainingTests: XCTestCase {
    static func dataPath(_ name: String) -> String {
        // Tests run from the package root; the data sets ship in Data/.
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return here.appendingPathComponent("Data/\(name)").path
    }

    /// Digits, MLP 64-64-10, SGD lr 0.1, batch 32, 20 epochs, 80/20 split: at least 0.95 test accuracy.
    func testDigitsMLP() throws {
        let data = try TabularData(csv: Self.dataPath("digits.csv"), target: "label")
        let (train, test) = data.split(testFraction: 0.2, seed: 0)
        let scaler = Standardizer(fitting: train.features)
        let g = Generator(seed: 1)
        let model = Sequential(Linear(64, 64, generator: g), ReLU(), Linear(64, 10, generator: g))
        let opt = SGD(model.parameters(), lr: 0.1)
        let loader = DataLoader(
            features: scaler.transform(train.features), targets: train.classLabels(), batchSize: 32, shuffle: true,
            generator: Generator(seed: 2))
        var losses: [Double] = []
        for _ in 0..<20 { losses.append(try trainEpoch(model, loader, optimizer: opt, task: .classify)) }
        XCTAssertLessThan(losses.last!, losses.first! / 5)
        let result = evaluate(model, features: scaler.transform(test.features), targets: test.classLabels(), task: .classify)
        print("digits MLP test accuracy", result.accuracy!)
        XCTAssertGreaterThanOrEqual(result.accuracy!, 0.95)
    }
}
