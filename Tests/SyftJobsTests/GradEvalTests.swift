import Foundation
import SyftCore
import SyftJobs
import SyftNN
import XCTest
import _TestSupport

/// `syft grad` and `syft eval` on checkpoints written by `syft train`: per-example gradients from one
/// batched pass against one backward per example, the DP-SGD step against a reference computed one
/// example at a time, remote data, and bad input.
final class GradEvalTests: XCTestCase {
    /// A checkpoint trained for two epochs on iris, with a deeper model than the default.
    func trainedIris(
        model: String = "8,tanh,dropout:0.2,6,relu"
    ) throws -> (folder: String, model: Sequential) {
        let out = temporaryFolder(self, "ckpt") + "/run"
        let result = try TrainJob(
            config: JobConfig(
                data: dataPath("iris.csv"), model: try LayerSpec.parseList(model), epochs: 2, out: out)
        ).run(in: quietEnvironment().0)
        return (out, result.model)
    }

    /// The data of a data set prepared as the checkpoint's training was.
    func prepared(
        _ checkpoint: String, _ data: String
    ) throws -> (model: Sequential, x: Tensor, y: Tensor, task: Task) {
        let (info, model) = try CheckpointInfo.load(checkpoint)
        let table = try TabularData(csv: data, target: info.preprocessing.targetName)
        return (
            model, info.preprocessing.features(of: table), info.preprocessing.targets(of: table),
            info.preprocessing.task
        )
    }

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

    func testPerExampleGradientsMatchOneBackwardPerExample() throws {
        for (data, model) in [("iris.csv", "8,tanh,dropout:0.2,6,relu"), ("diabetes.csv", "5,sigmoid")] {
            let g = Generator(seed: 3)
            let table = try TabularData(csv: dataPath(data))
            let task = guessTask(table)
            let prep = Preprocessing(
                fitting: table, task: task, classes: task == .classify ? table.classCount : nil)
            let x = prep.features(of: table)[0..<40]
            let y = prep.targets(of: table)[0..<40]
            let layers = try LayerSpec.parseList(model) + [.linear(out: prep.outputs)]
            let net = try LayerSpec.build(layers, inputs: x.shape[1], generator: g)
            net.eval()
            let pe = try PerExampleGradients(net, features: x, targets: y, task: task)
            XCTAssertEqual(pe.names, net.namedParameters().map(\.0))
            XCTAssertTrue(
                net.parameters().allSatisfy { $0.grad == nil }, "the model's own gradients stay untouched")
            let reference = try oneAtATime(net, x, y, task: task)
            for (p, grads) in pe.gradients.enumerated() {
                XCTAssertEqual(grads.shape, [40] + net.parameters()[p].value.shape)
                for i in 0..<40 { assertClose(grads[i], reference[i][p], rtol: 1e-4, atol: 1e-6) }
            }
            // Their mean is the gradient of the batch's mean loss.
            try task.loss(net(x), y).backward()
            for (p, grads) in pe.gradients.enumerated() {
                assertClose(grads.mean(squeezingAxes: 0), net.parameters()[p].grad!, rtol: 1e-4, atol: 1e-6)
            }
        }
    }

    /// The DP-SGD step of `syft grad` against Opacus's recipe computed one example at a time.
    func testDPSGDStepMatchesAPerExampleReference() throws {
        let (checkpoint, _) = try trainedIris()
        let out = temporaryFolder(self) + "/grad"
        let (clip, sigma, batch) = (0.5, 1.1, 64)
        let result = try GradJob(
            GradOptions(
                checkpoint: checkpoint, data: dataPath("iris.csv"), batchSize: batch, maxGradNorm: clip,
                noiseMultiplier: sigma,
                seed: 11, out: out)
        ).run(in: quietEnvironment().0)
        XCTAssertEqual(files(in: out), ["config.json", "gradients.safetensors", "metrics.csv", "plot.svg"])

        let (model, x, y, task) = try prepared(checkpoint, dataPath("iris.csv"))
        let names = model.namedParameters().map(\.0)
        let generator = Generator(seed: 11)
        var clippedTotal = 0
        for (b, lo) in stride(from: 0, to: 150, by: batch).enumerated() {
            let hi = Swift.min(150, lo + batch)
            let examples = try oneAtATime(model, x[lo..<hi], y[lo..<hi], task: task)
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
                let expected = (sums[p] + noise) / Double(hi - lo)
                assertClose(result.gradients[name]![b], expected, rtol: 1e-4, atol: 1e-6)
            }
        }
        XCTAssertEqual(result.gradients[names[0]]!.shape, [3] + model.parameters()[0].value.shape)
        XCTAssertEqual(result.metrics.series("clipped").map(\.y).reduce(0, +), Double(clippedTotal))
        // The file holds the same tensors, with the options in its metadata.
        let (stored, metadata) = try SafeTensors.loadWithMetadata(from: out + "/gradients.safetensors")
        XCTAssertEqual(stored.map(\.0), names)
        XCTAssertEqual(metadata["syft.mode"], "dp-sgd")
        XCTAssertEqual(stored[0].1.floats, result.gradients[names[0]]!.floats)
    }

    func testBatchAndPerExampleModes() throws {
        let (checkpoint, _) = try trainedIris(model: "16,relu")
        let (model, x, y, task) = try prepared(checkpoint, dataPath("iris.csv"))
        // The whole set: the gradient of the mean loss, in the parameters' shapes.
        let whole = try GradJob(
            GradOptions(checkpoint: checkpoint, data: dataPath("iris.csv"), out: temporaryFolder(self))
        )
        .run(in: quietEnvironment().0)
        model.zeroGrad()
        try task.loss(model(x), y).backward()
        for (name, p) in model.namedParameters() {
            assertClose(whole.gradients[name]!, p.grad!, rtol: 1e-5, atol: 1e-7)
        }
        // Per batch: stacked [batches, ...].
        let batches = try GradJob(
            GradOptions(
                checkpoint: checkpoint, data: dataPath("iris.csv"), batchSize: 100, out: temporaryFolder(self)
            )
        ).run(in: quietEnvironment().0)
        XCTAssertEqual(batches.gradients["0.weight"]!.shape, [2, 16, 4])
        XCTAssertEqual(batches.metrics.rows.map { $0[1] }, [100, 50])
        // Per example: [rows, ...], whatever the batching.
        let perExample = try GradJob(
            GradOptions(
                checkpoint: checkpoint, data: dataPath("iris.csv"), batchSize: 64, perExample: true,
                out: temporaryFolder(self))
        ).run(in: quietEnvironment().0)
        XCTAssertEqual(perExample.gradients["0.weight"]!.shape, [150, 16, 4])
        XCTAssertEqual(perExample.metrics.rows.count, 150)
        assertClose(
            perExample.gradients["2.bias"]!.mean(squeezingAxes: 0), whole.gradients["2.bias"]!, rtol: 1e-4,
            atol: 1e-6)
    }

    /// On remote data the gradients are computed on the worker and are the same as here.
    func testGradientsOnAVirtualWorker() throws {
        let (checkpoint, _) = try trainedIris(model: "8,relu")
        for mode in [GradOptions.Mode.batch, .perExample, .dpsgd] {
            let dpsgd = mode == .dpsgd
            var options = GradOptions(
                checkpoint: checkpoint, data: dataPath("iris.csv"), batchSize: 50,
                perExample: mode == .perExample,
                maxGradNorm: dpsgd ? 1 : nil, noiseMultiplier: dpsgd ? 0.5 : nil, out: temporaryFolder(self))
            XCTAssertEqual(options.mode, mode)
            let local = try GradJob(options).run(in: quietEnvironment().0)
            options.worker = .virtual(id: "bob")
            options.out = temporaryFolder(self)
            let remote = try GradJob(options).run(in: quietEnvironment().0)
            for (name, g) in local.gradients {
                XCTAssertTrue(remote.gradients[name]!.isLocal)
                assertClose(remote.gradients[name]!, g, rtol: 1e-5, atol: 1e-7, "\(mode) \(name)")
            }
            XCTAssertEqual(remote.metrics.rows.count, local.metrics.rows.count)
        }
    }

    func testEvalMatchesTheTrainedModel() throws {
        let (checkpoint, trained) = try trainedIris()
        let out = temporaryFolder(self) + "/eval"
        let (env, printed) = quietEnvironment()
        let result = try EvalJob(
            EvalOptions(checkpoint: checkpoint + "/model.safetensors", data: dataPath("iris.csv"), out: out)
        )
        .run(in: env)
        let (_, x, y, task) = try prepared(checkpoint, dataPath("iris.csv"))
        let expected = evaluate(trained, features: x, targets: y, task: task)
        XCTAssertEqual(result.rows, 150)
        XCTAssertEqual(result.loss, expected.loss, accuracy: 1e-6)
        XCTAssertEqual(result.accuracy!, expected.accuracy!, accuracy: 1e-9)
        XCTAssertEqual(files(in: out), ["config.json", "metrics.csv"])
        XCTAssertTrue(printed.text.contains("accuracy"), printed.text)
        // Regression: the MSE in the target's units.
        let reg = temporaryFolder(self) + "/reg"
        _ = try TrainJob(config: JobConfig(data: dataPath("diabetes.csv"), epochs: 2, out: reg)).run(
            in: quietEnvironment().0)
        let mse = try EvalJob(
            EvalOptions(checkpoint: reg, data: dataPath("diabetes.csv"), out: temporaryFolder(self))
        )
        .run(in: quietEnvironment().0)
        XCTAssertNil(mse.accuracy)
        XCTAssertGreaterThan(mse.meanSquaredError!, 100)
    }

    func testBadCheckpointsAndData() throws {
        let (checkpoint, _) = try trainedIris(model: "4,relu")
        let root = temporaryFolder(self)
        let out = root + "/never"
        // Corrupt: a truncated copy of a real checkpoint.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: checkpoint + "/model.safetensors"))
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: root + "/cut.safetensors"))
        assertJobError(
            try EvalJob(
                EvalOptions(checkpoint: root + "/cut.safetensors", data: dataPath("iris.csv"), out: out)),
            "cut.safetensors: not a valid safetensors checkpoint")
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: root + "/junk.safetensors"))
        assertJobError(
            try GradJob(
                GradOptions(checkpoint: root + "/junk.safetensors", data: dataPath("iris.csv"), out: out)),
            "junk.safetensors")
        // A safetensors file without a job: its model cannot be rebuilt.
        try Linear(4, 3).save(to: root + "/plain.safetensors")
        assertJobError(
            try EvalJob(
                EvalOptions(checkpoint: root + "/plain.safetensors", data: dataPath("iris.csv"), out: out)),
            "was not written by syft train")
        assertJobError(
            try EvalJob(EvalOptions(checkpoint: root + "/none", data: dataPath("iris.csv"), out: out)),
            "no such file")
        // Data that does not fit the model.
        assertJobError(
            try EvalJob(
                EvalOptions(
                    checkpoint: checkpoint, data: dataPath("breast_cancer.csv"), target: "mean_radius",
                    out: out)), "features differ")
        assertJobError(
            try EvalJob(
                EvalOptions(
                    checkpoint: checkpoint, data: dataPath("iris.csv"), target: "petal_width", out: out)),
            "features differ")
        assertJobError(
            try GradJob(GradOptions(checkpoint: checkpoint, data: root + "/none.csv", out: out)),
            "none.csv: no such file")
        assertJobError(
            try GradJob(
                GradOptions(checkpoint: checkpoint, data: dataPath("iris.csv"), noiseMultiplier: 1, out: out)),
            "noise_multiplier: needs max_grad_norm")
        assertJobError(
            try GradJob(
                GradOptions(checkpoint: checkpoint, data: dataPath("iris.csv"), maxGradNorm: 0, out: out)),
            "max_grad_norm: must be a positive number")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
