import Foundation
import SyftCore
import SyftJobs
import SyftNN
import XCTest
import _TestSupport

/// Convolutional models through the jobs: per-example gradients of Conv2d layers from one batched pass
/// (against one backward per example), the DP-SGD step, `syft grad` on a CNN checkpoint, locally and on
/// a worker, and `syft train` of a CNN on the digits.
final class ConvGradTests: XCTestCase {
    /// Each example's gradient, one backward per example: the reference.
    func oneAtATime(_ model: Sequential, _ x: Tensor, _ y: Tensor, task: Task) throws -> [[Tensor]] {
        model.eval()
        var out: [[Tensor]] = []
        for i in 0..<x.shape[0] {
            model.zeroGrad()
            try task.loss(model(x[i..<(i + 1)]), y[i..<(i + 1)]).backward()
            out.append(model.parameters().map { $0.grad! })
        }
        model.zeroGrad()
        return out
    }

    /// The first `rows` rows of the digits, as a CSV file of their own.
    func digits(rows: Int) throws -> String {
        let text = try String(contentsOfFile: dataPath("digits.csv"), encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline).prefix(rows + 1)
        let path = temporaryFolder(self, "digits") + "/digits\(rows).csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A CNN checkpoint trained for one epoch on `data`.
    func trainedCNN(_ data: String, model: String = "image:1x8x8,conv4k3p1,relu,maxpool2") throws -> String {
        let out = temporaryFolder(self, "ckpt") + "/run"
        _ = try TrainJob(
            config: JobConfig(data: data, model: try LayerSpec.parseList(model), epochs: 1, out: out)
        ).run(in: quietEnvironment().0)
        return out
    }

    /// Float64 models mixing convolutions (stride, padding, a rectangular kernel, dilation, groups, no
    /// bias), pooling and linear layers: every example's gradient equals its own backward pass.
    func testPerExampleConvGradientsMatchOneBackwardPerExample() throws {
        for task in [Task.classify, .regress] {
            let g = Generator(seed: 5)
            let outputs = task == .classify ? 3 : 2
            let model = Sequential(
                Unflatten([2, 6, 5]),
                Conv2d(2, 4, kernelSize: 3, stride: [2, 1], padding: 1, dtype: .float64, generator: g),
                Tanh(),
                Conv2d(
                    4, 6, kernelSize: [2, 3], dilation: [1, 2], groups: 2, bias: false, dtype: .float64,
                    generator: g), ReLU(),
                AvgPool2d(kernelSize: [2, 1]), Flatten(), Linear(6, 5, dtype: .float64, generator: g),
                Sigmoid(),
                Linear(5, outputs, dtype: .float64, generator: g))
            model.eval()
            let n = 12
            let x = Tensor.randn([n, 60], dtype: .float64, generator: g)
            let y =
                task == .classify
                ? Tensor(shape: [n], scalars: (0..<n).map { Int64($0 % 3) }, dtype: .int64)
                : Tensor.randn([n, outputs], dtype: .float64, generator: g)
            let pe = try PerExampleGradients(model, features: x, targets: y, task: task)
            XCTAssertEqual(
                pe.names, ["1.weight", "1.bias", "3.weight", "7.weight", "7.bias", "9.weight", "9.bias"])
            XCTAssertTrue(
                model.parameters().allSatisfy { $0.grad == nil }, "the model's own gradients stay untouched")
            let reference = try oneAtATime(model, x, y, task: task)
            for (p, grads) in pe.gradients.enumerated() {
                XCTAssertEqual(grads.shape, [n] + model.parameters()[p].value.shape)
                XCTAssertEqual(grads.dtype, .float64)
                for i in 0..<n {
                    assertClose(
                        grads[i], reference[i][p], rtol: 1e-10, atol: 1e-12, "\(task) \(pe.names[p]) [\(i)]")
                }
            }
            let losses = pe.losses.doubles
            for i in 0..<n {
                let own = task.loss(model(x[i..<(i + 1)]), y[i..<(i + 1)]).item()
                XCTAssertEqual(losses[i], own, accuracy: 1e-12)
            }
            // Their mean is the gradient of the batch's mean loss.
            try task.loss(model(x), y).backward()
            for (p, grads) in pe.gradients.enumerated() {
                assertClose(
                    grads.mean(squeezingAxes: 0), model.parameters()[p].grad!, rtol: 1e-10, atol: 1e-12)
            }
        }
    }

    /// The DP-SGD step of `syft grad` on a CNN checkpoint against Opacus's recipe one example at a time.
    func testDPSGDStepWithACNN() throws {
        let data = try digits(rows: 200)
        let checkpoint = try trainedCNN(data)
        let (clip, sigma, batch) = (0.5, 1.1, 64)
        let result = try GradJob(
            GradOptions(
                checkpoint: checkpoint, data: data, batchSize: batch, maxGradNorm: clip,
                noiseMultiplier: sigma,
                seed: 11, out: temporaryFolder(self) + "/grad")
        ).run(in: quietEnvironment().0)

        let (info, model) = try CheckpointInfo.load(checkpoint)
        let table = try TabularData(csv: data, target: info.preprocessing.targetName)
        let (x, y) = (info.preprocessing.features(of: table), info.preprocessing.targets(of: table))
        let names = model.namedParameters().map(\.0)
        XCTAssertEqual(names, ["1.weight", "1.bias", "5.weight", "5.bias"])
        let generator = Generator(seed: 11)
        var clippedTotal = 0
        for (b, lo) in stride(from: 0, to: 200, by: batch).enumerated() {
            let hi = Swift.min(200, lo + batch)
            let examples = try oneAtATime(model, x[lo..<hi], y[lo..<hi], task: .classify)
            var sums = model.parameters().map { Tensor.zeros($0.value.shape) }
            for grads in examples {
                let norm = grads.reduce(0.0) { $0 + ($1 * $1).sum().item() }.squareRoot()
                let factor = Swift.min(1, clip / (norm + 1e-6))
                if factor < 1 { clippedTotal += 1 }
                for p in sums.indices { sums[p] = sums[p] + grads[p] * factor }
            }
            for (p, name) in names.enumerated() {
                let noise =
                    Tensor.randn(sums[p].shape, dtype: .float32, generator: generator) * (sigma * clip)
                assertClose(
                    result.gradients[name]![b], (sums[p] + noise) / Double(hi - lo), rtol: 1e-4, atol: 1e-6)
            }
        }
        XCTAssertEqual(result.gradients["1.weight"]!.shape, [4, 4, 1, 3, 3])
        XCTAssertGreaterThan(clippedTotal, 0)
        XCTAssertEqual(result.metrics.series("clipped").map(\.y).reduce(0, +), Double(clippedTotal))
    }

    /// Per-example and batch gradients of a CNN checkpoint, here and on a virtual worker.
    func testGradJobOnACNNCheckpoint() throws {
        let data = try digits(rows: 120)
        let checkpoint = try trainedCNN(data, model: "image:1x8x8,conv3k3s2p1:nobias,tanh,avgpool2,6,relu")
        let whole = try GradJob(GradOptions(checkpoint: checkpoint, data: data, out: temporaryFolder(self)))
            .run(in: quietEnvironment().0)
        var options = GradOptions(
            checkpoint: checkpoint, data: data, batchSize: 50, perExample: true, out: temporaryFolder(self))
        let local = try GradJob(options).run(in: quietEnvironment().0)
        XCTAssertEqual(local.gradients["1.weight"]!.shape, [120, 3, 1, 3, 3])
        XCTAssertNil(local.gradients["1.bias"])
        XCTAssertEqual(local.gradients["5.weight"]!.shape, [120, 6, 12])
        XCTAssertEqual(local.metrics.rows.count, 120)
        for (name, g) in whole.gradients {
            assertClose(local.gradients[name]!.mean(squeezingAxes: 0), g, rtol: 1e-4, atol: 1e-6, name)
        }
        // On a worker: the unfold and the matmuls run there; the same gradients come back.
        options.worker = .virtual(id: "bob")
        options.out = temporaryFolder(self)
        let remote = try GradJob(options).run(in: quietEnvironment().0)
        for (name, g) in local.gradients {
            XCTAssertTrue(remote.gradients[name]!.isLocal)
            assertClose(remote.gradients[name]!, g, rtol: 1e-5, atol: 1e-7, name)
        }
    }

    /// `syft train` of a small CNN on the digits reaches at least 0.9 test accuracy in a few epochs, and
    /// its checkpoint evaluates the same.
    func testTrainACNNOnTheDigits() throws {
        let out = temporaryFolder(self) + "/cnn"
        let (env, printed) = quietEnvironment()
        let result = try TrainJob(
            config: JobConfig(
                data: dataPath("digits.csv"),
                model: try LayerSpec.parseList("image:1x8x8,conv8k3p1,relu,maxpool2,flatten,10"),
                optimizer: OptimizerSpec(lr: 0.05, momentum: 0.9), epochs: 3, out: out)
        ).run(in: env)
        let accuracy = result.metrics.last("test_accuracy")!
        print("digits CNN job test accuracy", accuracy)
        XCTAssertGreaterThanOrEqual(accuracy, 0.9)
        XCTAssertTrue(printed.text.contains("conv8k3p1 [8, 8, 8]"), printed.text)
        let saved = try JobConfig.load(from: out + "/config.json")
        XCTAssertEqual(saved.model?[1], .conv2d(out: 8, kernel: 3, padding: 1))
        let eval = try EvalJob(
            EvalOptions(checkpoint: out, data: dataPath("digits.csv"), out: temporaryFolder(self))
        ).run(in: quietEnvironment().0)
        XCTAssertGreaterThanOrEqual(eval.accuracy!, 0.9)
    }
}
