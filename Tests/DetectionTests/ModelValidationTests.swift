import Detection
import Foundation
import ModelStore
import NeuralNet
import TestSupport
import Testing

/// The load-time validation every detector runs (``ModelValidation``): consistency between graph, anchors, labels and
/// heads, options that must fit the model, and memory; each failure names the file and the key.
@Suite("Model validation at load")
struct ModelValidationTests {
    /// input 16×16×3 → `features` 3×3 → 16×16×8 → `boxes` / `classes` 3×3 stride 8 → 2×2×(1·4) and 2×2×(1·2); TF anchors
    /// on one 2×2 map with one box per location; labels background and thing.
    struct TinyModel {
        var graph: NetworkGraph
        var manifest: ModelManifest
        var parameters: [(name: String, shape: [Int], values: [Float])]

        init() {
            func conv(_ name: String, _ input: String, out: Int, stride: Int) -> NetworkNode {
                NetworkNode(
                    name: name, inputs: [input],
                    operation: .convolution(
                        Convolution(
                            weight: "\(name)/weights", bias: "\(name)/biases", outChannels: out, kernelHeight: 3, kernelWidth: 3,
                            strideY: stride, strideX: stride, padding: .uniform(1), activation: name == "features" ? .relu : .none)))
            }
            graph = NetworkGraph(
                inputName: "input", inputShape: [16, 16, 3],
                nodes: [
                    conv("features", "input", out: 8, stride: 1), conv("boxes", "features", out: 4, stride: 8),
                    conv("classes", "features", out: 2, stride: 8),
                ],
                outputs: ["boxes", "classes"])
            manifest = ModelManifest(
                architecture: "tiny", source: "unit test",
                preprocessing: Preprocessing(
                    inputWidth: 16, inputHeight: 16, resize: .tensorFlowLegacyBilinear, scale: [2 / 255, 2 / 255, 2 / 255],
                    offset: [-1, -1, -1], normalizeBeforeResize: false),
                anchors: .tensorFlowMultipleGrid(
                    TensorFlowAnchors(
                        minScale: 0.2, maxScale: 0.95, aspectRatios: [1], reduceBoxesInLowestLayer: false,
                        interpolatedScaleAspectRatio: 0, featureMapSizes: [[2, 2]])),
                boxCoding: BoxCoding(order: .yx, weights: [10, 10, 5, 5], sizeClamp: nil), scoring: .sigmoid,
                postprocessing: Postprocessing(
                    scoreThreshold: 0.01, iouThreshold: 0.6, candidatesPerClass: nil, maxPerClass: 100, maxDetections: 100,
                    clipping: .suppressThenClip),
                labels: ["background", "thing"], heads: [HeadOutputs(boxes: "boxes", classes: "classes")])
            var generator = SplitMix64(seed: 7)
            func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float(generator.next() % 2001) / 10_000 - 0.1 } }
            parameters = [
                ("features/weights", [8, 3, 3, 3], values(216)), ("features/biases", [8], values(8)),
                ("boxes/weights", [4, 8, 3, 3], values(288)), ("boxes/biases", [4], values(4)),
                ("classes/weights", [2, 8, 3, 3], values(144)), ("classes/biases", [2], values(2)),
            ]
        }

        /// Writes the model.
        func write() throws -> URL {
            let url = ScratchDirectory.make("validation").appendingPathComponent("tiny.safetensors")
            try ModelFile.write(to: url, graph: graph, manifest: manifest, parameters: parameters)
            return url
        }

        /// Writes the model and opens it.
        func file() throws -> ModelFile { try ModelFile(contentsOf: write()) }
    }

    static func expectRejected(_ tiny: TinyModel, key: String, problem: String, options: DetectorOptions = DetectorOptions()) throws {
        let url = try tiny.write()
        let error = ModelValidationError(file: url.path, key: key, problem: problem)
        #expect(throws: error) { try ModelValidation.validate(ModelFile(contentsOf: url), options: options) }
        #expect(throws: error) { try Detector(model: ModelFile(contentsOf: url), options: options) }
    }

    @Test func tinyModelPassesAndRuns() throws {
        let model = try TinyModel().file()
        let report = try ModelValidation.validate(model)
        #expect(report.anchorCount == 4)
        #expect(report.detectionFloats == 4 * (12 + 2 * 2) + 16 * 16 * 3 * 2)
        let detector = try Detector(model: model)
        #expect(detector.anchors.count == 4)
        #expect(detector.network.outputShapes == [[2, 2, 4], [2, 2, 2]])
    }

    @Test func graphInputMustBeThePreprocessingSize() throws {
        var tiny = TinyModel()
        tiny.manifest.preprocessing.inputWidth = 24
        try Self.expectRejected(
            tiny, key: "graph.inputShape",
            problem: "is [16, 16, 3], but preprocessing.inputWidth and inputHeight make the input [16, 24, 3]")
    }

    @Test func boxCodingOrderMustBeTheAnchors() throws {
        var tiny = TinyModel()
        tiny.manifest.boxCoding.order = .xy
        try Self.expectRejected(tiny, key: "boxCoding.order", problem: "must be yx for these anchors, got xy")
    }

    @Test func headsMustMatchTheLevels() throws {
        var tiny = TinyModel()
        tiny.manifest.heads.append(HeadOutputs(boxes: "boxes", classes: "classes"))
        try Self.expectRejected(tiny, key: "heads", problem: "name 2 levels, but anchors.featureMapSizes has 1")
    }

    @Test func graphOutputsMustBeTheHeadsInOrder() throws {
        var tiny = TinyModel()
        tiny.graph.outputs = ["classes", "boxes"]
        try Self.expectRejected(
            tiny, key: "graph.outputs",
            problem: "must be the heads' box and class outputs in level order [\"boxes\", \"classes\"], got [\"classes\", \"boxes\"]")
    }

    @Test func boxHeadMustFitTheFeatureMap() throws {
        var tiny = TinyModel()
        guard case .tensorFlowMultipleGrid(var anchors) = tiny.manifest.anchors else { return }
        anchors.featureMapSizes = [[3, 3]]
        tiny.manifest.anchors = .tensorFlowMultipleGrid(anchors)
        try Self.expectRejected(
            tiny, key: "heads[0].boxes",
            problem: "('boxes') has shape [2, 2, 4], expected [3, 3, 4]: 1 anchors per location on the 3x3 map of anchors.featureMapSizes[0]")
        anchors.featureMapSizes = [[2, 2]]
        anchors.aspectRatios = [1, 2]
        tiny.manifest.anchors = .tensorFlowMultipleGrid(anchors)
        try Self.expectRejected(
            tiny, key: "heads[0].boxes",
            problem: "('boxes') has shape [2, 2, 4], expected [2, 2, 8]: 2 anchors per location on the 2x2 map of anchors.featureMapSizes[0]")
    }

    @Test func labelsMustMatchTheClassHead() throws {
        var tiny = TinyModel()
        tiny.manifest.labels = ["background", "thing", "other"]
        try Self.expectRejected(
            tiny, key: "labels", problem: "name 3 classes, but heads[0].classes predicts 2 per anchor (2 channels for 1 anchors per location)")
    }

    @Test func unknownLabelOption() throws {
        try Self.expectRejected(
            TinyModel(), key: "labels", problem: "do not include 'unicorn' (label 'unicorn' is not one of the model's classes: thing)",
            options: DetectorOptions(labels: ["unicorn"]))
    }

    @Test func graphErrorsNameTheGraphKey() throws {
        var tiny = TinyModel()
        guard case .convolution(var c) = tiny.graph.nodes[1].operation else { return }
        c.padding.left = Int.max
        tiny.graph.nodes[1].operation = .convolution(c)
        try Self.expectRejected(tiny, key: "graph.nodes['boxes'].padding.left", problem: "must be in 0...1024, got 9223372036854775807")
        tiny = TinyModel()
        tiny.graph.nodes[2].inputs = ["nowhere"]
        try Self.expectRejected(tiny, key: "graph.nodes['classes'].inputs", problem: "names 'nowhere', which no earlier node defines")
    }

    @Test func manifestErrorsComeFirst() throws {
        var tiny = TinyModel()
        tiny.manifest.postprocessing.maxDetections = Int.min
        try Self.expectRejected(tiny, key: "postprocessing.maxDetections", problem: "must be in 1...10000, got -9223372036854775808")
        let model = try tiny.file()
        #expect(
            ModelValidationError(file: model.url.path, key: "postprocessing.maxDetections", problem: "must be in 1...10000, got -1")
                .description == "'\(model.url.path)': postprocessing.maxDetections must be in 1...10000, got -1")
    }

    /// 4096×4096 input with 32 feature channels: 2 GiB of activations for one value, rejected before any allocation.
    @Test func memoryAboveTheLimit() throws {
        var tiny = TinyModel()
        let model = try tiny.file()
        let report = try ModelValidation.validate(model)
        try Self.expectRejected(
            tiny, key: "graph",
            problem: "needs \(NetworkFootprint.format(bytes: report.bytes)) to run (network \(report.network); detection buffers "
                + "\(NetworkFootprint.format(bytes: report.detectionFloats * 4))), more than the limit of 0.0 MiB",
            options: DetectorOptions(memoryLimit: 1024))
        tiny.graph.inputShape = [4096, 4096, 3]
        tiny.manifest.preprocessing.inputWidth = 4096
        tiny.manifest.preprocessing.inputHeight = 4096
        guard case .tensorFlowMultipleGrid(var anchors) = tiny.manifest.anchors,
            case .convolution(var features) = tiny.graph.nodes[0].operation
        else { return }
        anchors.featureMapSizes = [[512, 512]]
        tiny.manifest.anchors = .tensorFlowMultipleGrid(anchors)
        features.outChannels = 32
        tiny.graph.nodes[0].operation = .convolution(features)
        tiny.parameters[0] = ("features/weights", [32, 3, 3, 3], [Float](repeating: 0, count: 864))
        tiny.parameters[1] = ("features/biases", [32], [Float](repeating: 0, count: 32))
        for index in [2, 4] {
            tiny.parameters[index].shape[1] = 32
            tiny.parameters[index].values = [Float](repeating: 0, count: tiny.parameters[index].shape.reduce(1, *))
        }
        let big = try tiny.file()
        #expect {
            try ModelValidation.validate(big)
        } throws: { error in
            let error = error as? ModelValidationError
            return error?.key == "graph" && error?.problem.hasPrefix("needs ") == true
                && error?.problem.hasSuffix("more than the limit of 2.0 GiB") == true
        }
    }
}
