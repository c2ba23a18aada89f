import Foundation
import SyftCore
import SyftNN
import XCTest

/// Real models on the shipped data sets reach the accuracy.
final class TrainingTests: XCTestCase {
    static func dataPath(_ name: String) -> String {
        // Tests run from the package root; the data sets ship in Data/.
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
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
            features: scaler.transform(train.features), targets: train.classLabels(), batchSize: 32,
            shuffle: true,
            generator: Generator(seed: 2))
        var losses: [Double] = []
        for _ in 0..<20 { losses.append(try trainEpoch(model, loader, optimizer: opt, task: .classify)) }
        XCTAssertLessThan(losses.last!, losses.first! / 5)
        let result = evaluate(
            model, features: scaler.transform(test.features), targets: test.classLabels(), task: .classify)
        print("digits MLP test accuracy", result.accuracy!)
        XCTAssertGreaterThanOrEqual(result.accuracy!, 0.95)
    }
}

/// The CNN of the issue on the digits, and linear regression against the least-squares solution.
final class ConvAndRegressionTrainingTests: XCTestCase {
    /// A small CNN on the 8x8 digits reaches at least 0.97 test accuracy.
    func testDigitsCNN() throws {
        let data = try TabularData(csv: TrainingTests.dataPath("digits.csv"), target: "label")
        let (train, test) = data.split(testFraction: 0.2, seed: 0)
        let scaler = Standardizer(fitting: train.features)
        let g = Generator(seed: 7)
        let model = Sequential(
            Unflatten([1, 8, 8]), Conv2d(1, 8, kernelSize: 3, padding: 1, generator: g), ReLU(),
            MaxPool2d(kernelSize: 2), Conv2d(8, 16, kernelSize: 3, padding: 1, generator: g), ReLU(),
            MaxPool2d(kernelSize: 2), Flatten(), Linear(16 * 2 * 2, 10, generator: g))
        let opt = SGD(model.parameters(), lr: 0.05, momentum: 0.9)
        let loader = DataLoader(
            features: scaler.transform(train.features), targets: train.classLabels(), batchSize: 32,
            shuffle: true,
            generator: Generator(seed: 8))
        for _ in 0..<8 { try trainEpoch(model, loader, optimizer: opt, task: .classify) }
        let result = evaluate(
            model, features: scaler.transform(test.features), targets: test.classLabels(), task: .classify)
        print("digits CNN test accuracy", result.accuracy!)
        XCTAssertGreaterThanOrEqual(result.accuracy!, 0.97)
    }

    /// Linear regression on the diabetes data trained by SGD reaches `lstsq`'s solution within 1e-3.
    func testDiabetesRegressionReachesLeastSquares() throws {
        let data = try TabularData(csv: TrainingTests.dataPath("diabetes.csv"), target: "progression")
        let scaler = Standardizer(fitting: data.features)
        let x = scaler.transform(data.features).to(.float64)
        let y = data.regressionTargets().to(.float64)
        let yMean = y.mean()
        let yc = y - yMean
        // Least squares with an intercept column.
        let design = cat([x, Tensor.ones([x.shape[0], 1], dtype: .float64)], axis: 1)
        let exact = try lstsq(design, yc)
        let model = Linear(x.shape[1], 1, dtype: .float64, generator: Generator(seed: 1))
        let opt = SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        for _ in 0..<3000 {
            opt.zeroGrad()
            try mseLoss(model(x), yc).backward()
            try opt.step()
        }
        let learned = cat([model.weight.flattened(), model.bias], axis: 0)
        let reference = exact.flattened()
        let relative = ((learned - reference).pow(2).sum().sqrt() / reference.pow(2).sum().sqrt()).item()
        print("diabetes SGD vs lstsq relative difference", relative)
        XCTAssertLessThanOrEqual(relative, 1e-3)
    }
}
