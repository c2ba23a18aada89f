import Foundation
import SyftCore
import SyftJobs
import SyftNN
import XCTest

/// Convolutional models in a job: the compact and JSON forms of `image`, `conv2d`, `maxpool` and
/// `avgpool`, shape propagation (output sizes, the flatten a linear layer needs), and one-line errors
/// naming the layer and the shapes.
final class ConvLayerSpecTests: XCTestCase {
    func decode(_ json: String) throws -> JobConfig { try JobConfig.decode(Data(json.utf8)) }

    func testCompactForm() throws {
        let layers = try LayerSpec.parseList(
            "image:1x8x8, conv8k3p1, relu, maxpool2, conv16k3s2p1:nobias, avgpool3s2, flatten, 10")
        XCTAssertEqual(
            layers,
            [
                .image(channels: 1, height: 8, width: 8), .conv2d(out: 8, kernel: 3, stride: 1, padding: 1),
                .relu, .maxPool(kernel: 2, stride: 2),
                .conv2d(out: 16, kernel: 3, stride: 2, padding: 1, bias: false),
                .avgPool(kernel: 3, stride: 2), .flatten, .linear(out: 10),
            ])
        XCTAssertEqual(
            layers.map(\.description).joined(separator: ","),
            "image:1x8x8,conv8k3p1,relu,maxpool2,conv16k3s2p1:nobias,avgpool3s2,flatten,10")
        // Stride and padding in either order, upper-case letters, defaults.
        XCTAssertEqual(
            try LayerSpec.parseList("CONV4K5P2S2,conv4k1,MaxPool3"),
            [
                .conv2d(out: 4, kernel: 5, stride: 2, padding: 2), .conv2d(out: 4, kernel: 1),
                .maxPool(kernel: 3, stride: 3),
            ])
    }

    func testJSONForms() throws {
        let job = try decode(
            #"""
            {"model": [{"image": [1, 8, 8]}, {"conv2d": {"out": 8, "kernel": 3, "padding": 1}}, "relu",
                       {"maxpool": 2}, {"avgpool": {"kernel": 3, "stride": 1}}, {"image": "2x1x3"},
                       {"conv2d": {"out": 4, "kernel": 1, "stride": 2, "bias": false}}, {"flatten": {}}]}
            """#)
        XCTAssertEqual(
            job.model,
            [
                .image(channels: 1, height: 8, width: 8), .conv2d(out: 8, kernel: 3, padding: 1), .relu,
                .maxPool(kernel: 2, stride: 2), .avgPool(kernel: 3, stride: 1),
                .image(channels: 2, height: 1, width: 3), .conv2d(out: 4, kernel: 1, stride: 2, bias: false),
                .flatten,
            ])
        // Written back and read again: the same layers; the compact string is the same job.
        XCTAssertEqual(try decode(String(decoding: job.jsonData(), as: UTF8.self)).model, job.model)
        let text = String(decoding: job.jsonData(), as: UTF8.self)
        XCTAssertTrue(text.contains(#""maxpool" : 2"#), text)
        XCTAssertEqual(
            try decode(#"{"model": "image:1x8x8,conv8k3p1,relu,maxpool2,avgpool3s1"}"#).model,
            Array(job.model!.prefix(5)))
    }

    func testMistakesInALayerNameIt() {
        let cases: [(String, [String])] = [
            ("conv8", ["model[0]", "'conv8'", "a convolution needs its kernel", "conv8k3p1"]),
            ("conv8k3x2", ["model[0]", "expected conv<out>k<kernel>[s<stride>][p<padding>]"]),
            ("conv8k3k5", ["model[0]", "expected conv<out>"]),
            ("conv0k3", ["model[0]", "conv2d output channels must be at least 1, got 0"]),
            ("conv8k3s0", ["conv2d stride must be at least 1, got 0"]),
            ("conv8k3:bias", ["a convolution takes only ':nobias'"]),
            ("maxpool", ["expected maxpool<kernel>[s<stride>], such as maxpool2 or maxpool3s2"]),
            ("avgpool2p1", ["expected avgpool<kernel>[s<stride>]"]),
            ("maxpool0", ["maxpool kernel must be at least 1, got 0"]),
            ("maxpool2:1", ["maxpool takes no ':' setting"]),
            ("image", ["'image' needs its size: image:CxHxW"]),
            ("image:8x8", ["'image:8x8': expected image:CxHxW, such as image:1x8x8"]),
            ("image:0x8x8", ["image channels must be at least 1, got 0"]),
            ("conv99999999k3", ["conv2d output channels must be at most 1048576"]),
            ("pool2", ["unknown layer 'pool2'", "maxpool<k>[s<stride>]"]),
        ]
        for (token, parts) in cases {
            for part in parts { assertJobError(try LayerSpec.parseList(token), part) }
        }
        let json: [(String, String)] = [
            (#"{"conv2d": 3}"#, #"model[0].conv2d: expected settings such as {"out": 8, "kernel": 3}"#),
            (#"{"conv2d": {"out": 8}}"#, "model[0].conv2d: 'kernel' is required"),
            (
                #"{"conv2d": {"out": 8, "kernal": 3}}"#,
                "model[0].conv2d.kernal: unknown setting (did you mean 'kernel'?)"
            ),
            (#"{"conv2d": {"out": 8, "kernel": 2.5}}"#, "model[0].conv2d.kernel: expected a whole number"),
            (
                #"{"conv2d": {"out": 8, "kernel": 3, "bias": 1}}"#,
                "model[0].conv2d.bias: expected true or false"
            ),
            (
                #"{"conv2d": {"out": 8, "kernel": 3, "padding": -1}}"#,
                "model[0]: conv2d padding must be at least 0"
            ),
            (
                #"{"maxpool": "big"}"#,
                #"model[0].maxpool: expected a kernel size or {"kernel": 3, "stride": 2}"#
            ),
            (#"{"avgpool": {"stride": 2}}"#, "model[0].avgpool: 'kernel' is required"),
            (#"{"image": [8, 8]}"#, "model[0].image: expected [channels, height, width]"),
        ]
        for (layer, message) in json {
            assertJobError(try decode(#"{"model": ["# + layer + "]}"), message)
        }
    }

    /// The plan follows the shapes: output sizes, the inserted flatten, the summary line.
    func testShapesAreFollowedAndAFlattenIsInserted() throws {
        let plan = try TrainPlan(
            JobConfig(
                data: dataPath("digits.csv"),
                model: try LayerSpec.parseList("image:1x8x8,conv8k3p1,relu,maxpool2")))
        XCTAssertEqual(
            plan.model,
            [
                .image(channels: 1, height: 8, width: 8), .conv2d(out: 8, kernel: 3, padding: 1), .relu,
                .maxPool(kernel: 2, stride: 2), .flatten, .linear(out: 10),
            ])
        XCTAssertTrue(
            plan.summary[1].contains(
                "64 → image:1x8x8 [1, 8, 8] → conv8k3p1 [8, 8, 8] → relu → maxpool2 [8, 4, 4] → flatten [128] → 10"
            ),
            plan.summary[1])
        let model = try plan.makeModel()
        XCTAssertEqual(model.namedParameters().map(\.0), ["1.weight", "1.bias", "5.weight", "5.bias"])
        XCTAssertEqual(model.parameters().map(\.value.shape), [[8, 1, 3, 3], [8], [10, 128], [10]])
        XCTAssertEqual(model(try XCTUnwrap(plan.trainFeatures)[0..<3]).shape, [3, 10])
        // The resolved model, run again, is the same plan (the flatten is not inserted twice).
        XCTAssertEqual(try TrainPlan(try JobConfig.decode(plan.config.jsonData())).model, plan.model)
        // Strides, padding, pooling windows that do not tile the input: PyTorch's sizes.
        let shapes = try LayerSpec.build(
            LayerSpec.parseList("image:3x10x7,conv5k3s2p1,avgpool2s1,maxpool3s2,conv2k1:nobias"), inputs: 210,
            generator: Generator(seed: 0))
        XCTAssertEqual(shapes(Tensor.zeros([4, 210])).shape, [4, 2, 1, 1])
    }

    func testLayersThatDoNotFitNameTheLayerAndTheShapes() {
        // The digits' 64 features; a plan checks its model the same way (the first case).
        func plan(_ model: String) throws -> Sequential {
            try LayerSpec.build(try LayerSpec.parseList(model), inputs: 64, generator: Generator(seed: 0))
        }
        assertJobError(
            try TrainPlan(
                JobConfig(data: dataPath("digits.csv"), model: try LayerSpec.parseList("conv8k3,relu"))),
            "model[0]: conv8k3 needs an image, but gets 64 flat features; put image:CxHxW before it "
                + "(such as image:1x8x8 for 64 features)")
        assertJobError(
            try plan("image:1x8x9,conv8k3"),
            "model[0]: image:1x8x9 holds 72 values per example, but gets 64 features")
        assertJobError(
            try plan("image:1x8x8,conv8k3,maxpool2,conv4k5"),
            "model[3]: conv4k5 does not fit: its kernel 5×5 is larger than its input [8, 3, 3]")
        assertJobError(
            try plan("image:1x8x8,conv8k11p1"),
            "model[1]: conv8k11p1 does not fit: its kernel 11×11 is larger than its input [1, 8, 8] "
                + "(10×10 with its padding)")
        assertJobError(
            try plan("image:1x8x8,maxpool3,avgpool3"),
            "model[2]: avgpool3 does not fit: its window 3×3 is larger than its input [1, 2, 2]")
        assertJobError(
            try plan("32,maxpool2"), "model[1]: maxpool2 needs an image, but gets 32 flat features")
        assertJobError(
            try plan("image:1x8x8,image:1x8x8"),
            "model[1]: image:1x8x8 needs flat features, but gets an image [1, 8, 8]; put flatten before it")
        assertJobError(
            try plan("image:1x8x8,conv1048576k1,conv1048576k1"),
            "model[2]: conv1048576k1 would have more than 268435456 parameters (it gets [1048576, 8, 8])")
        // A checkpoint whose model does not fit its features is reported, not run.
        assertJobError(
            try LayerSpec.build([.conv2d(out: 2, kernel: 3)], inputs: 9, generator: Generator(seed: 0)),
            "model[0]: conv2k3 needs an image")
    }
}
