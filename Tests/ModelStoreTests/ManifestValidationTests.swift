import ModelStore
import Testing

/// Each range rule of ``ModelManifest/validate(file:)``: the hostile value is rejected with the key and the range.
@Suite("Manifest validation")
struct ManifestValidationTests {
    /// A valid TF-style manifest (the SSDLite person model's values).
    static let tensorFlow = ModelManifest(
        architecture: "ssdlite_mobilenet_v2", source: "unit test",
        preprocessing: Preprocessing(
            inputWidth: 300, inputHeight: 300, resize: .tensorFlowLegacyBilinear, scale: [2 / 255, 2 / 255, 2 / 255],
            offset: [-1, -1, -1], normalizeBeforeResize: false),
        anchors: .tensorFlowMultipleGrid(
            TensorFlowAnchors(
                minScale: 0.2, maxScale: 0.95, aspectRatios: [1, 2, 0.5, 3, 0.3333], reduceBoxesInLowestLayer: true,
                interpolatedScaleAspectRatio: 1, featureMapSizes: [[19, 19], [10, 10], [5, 5], [3, 3], [2, 2], [1, 1]])),
        boxCoding: BoxCoding(order: .yx, weights: [10, 10, 5, 5], sizeClamp: nil), scoring: .sigmoid,
        postprocessing: Postprocessing(
            scoreThreshold: 1e-8, iouThreshold: 0.6, candidatesPerClass: nil, maxPerClass: 100, maxDetections: 100,
            clipping: .suppressThenClip),
        labels: ["background", "person"],
        heads: (0..<6).map { HeadOutputs(boxes: "b\($0)", classes: "c\($0)") })

    /// A valid Caffe-flavoured SSD300 manifest.
    static let caffe: ModelManifest = {
        var manifest = tensorFlow
        manifest.anchors = .ssdDefaultBoxes(
            DefaultBoxes(
                flavor: "caffe", featureMapSizes: [38, 19, 10, 5, 3, 1], aspectRatios: [[2], [2, 3], [2, 3], [2, 3], [2], [2]],
                scales: [30, 60, 111, 162, 213, 264, 60, 111, 162, 213, 264, 315], steps: [8, 16, 32, 64, 100, 300], clip: false))
        manifest.boxCoding = BoxCoding(order: .xy, weights: [10, 10, 5, 5], sizeClamp: 4.135)
        return manifest
    }()

    static func tfAnchors(_ change: (inout TensorFlowAnchors) -> Void) -> ModelManifest {
        var manifest = tensorFlow
        guard case .tensorFlowMultipleGrid(var anchors) = manifest.anchors else { return manifest }
        change(&anchors)
        manifest.anchors = .tensorFlowMultipleGrid(anchors)
        return manifest
    }

    static func defaultBoxes(_ change: (inout DefaultBoxes) -> Void) -> ModelManifest {
        var manifest = caffe
        guard case .ssdDefaultBoxes(var boxes) = manifest.anchors else { return manifest }
        change(&boxes)
        manifest.anchors = .ssdDefaultBoxes(boxes)
        return manifest
    }

    static func with(_ change: (inout ModelManifest) -> Void) -> ModelManifest {
        var manifest = tensorFlow
        change(&manifest)
        return manifest
    }

    @Test func validManifestsPass() throws {
        try Self.tensorFlow.validate(file: "m.safetensors")
        try Self.caffe.validate(file: "m.safetensors")
    }

    @Test(
        "hostile values",
        arguments: [
            (with { $0.postprocessing.maxDetections = -1 }, "postprocessing.maxDetections", "must be in 1...10000, got -1"),
            (with { $0.postprocessing.maxDetections = Int.min }, "postprocessing.maxDetections", "must be in 1...10000, got -9223372036854775808"),
            (
                with { $0.postprocessing.candidatesPerClass = Int.min }, "postprocessing.candidatesPerClass",
                "must be in 1...100000, got -9223372036854775808"
            ),
            (with { $0.postprocessing.candidatesPerClass = 0 }, "postprocessing.candidatesPerClass", "must be in 1...100000, got 0"),
            (with { $0.postprocessing.maxPerClass = -7 }, "postprocessing.maxPerClass", "must be in 1...10000, got -7"),
            (with { $0.postprocessing.scoreThreshold = 1e30 }, "postprocessing.scoreThreshold", "must be finite and in 0.0...1.0, got 1e+30"),
            (with { $0.postprocessing.scoreThreshold = .nan }, "postprocessing.scoreThreshold", "must be finite and in 0.0...1.0, got nan"),
            (with { $0.postprocessing.iouThreshold = -0.5 }, "postprocessing.iouThreshold", "must be finite and in 0.0...1.0, got -0.5"),
            (with { $0.preprocessing.inputWidth = 40000 }, "preprocessing.inputWidth", "must be in 1...4096, got 40000"),
            (with { $0.preprocessing.inputHeight = 0 }, "preprocessing.inputHeight", "must be in 1...4096, got 0"),
            (with { $0.preprocessing.scale = [1, 1] }, "preprocessing.scale", "must hold 3 values (R, G, B), got 2"),
            (
                with { $0.preprocessing.offset = [0, .infinity, 0] }, "preprocessing.offset[1]",
                "must be finite and in -1000000.0...1000000.0, got inf"
            ),
            (with { $0.boxCoding.weights = [10, 10, 5] }, "boxCoding.weights", "must hold 4 values, got 3"),
            (with { $0.boxCoding.weights = [10, 0, 5, 5] }, "boxCoding.weights[1]", "must be finite and in 1e-06...1000000.0, got 0.0"),
            (with { $0.boxCoding.weights = [10, 10, -5, 5] }, "boxCoding.weights[2]", "must be finite and in 1e-06...1000000.0, got -5.0"),
            (with { $0.boxCoding.sizeClamp = 1e30 }, "boxCoding.sizeClamp", "must be finite and in 0.0...50.0, got 1e+30"),
            (with { $0.labels = ["background"] }, "labels", "must name 2...10000 class slots (background first), got 1"),
            (with { $0.heads = [] }, "heads", "must name 1...16 levels, got 0"),
            (with { $0.formatVersion = 2 }, "formatVersion", "must be 1, got 2; re-import the model"),
            (tfAnchors { $0.featureMapSizes[0] = [-19, 19] }, "anchors.featureMapSizes[0][0]", "must be in 1...1024, got -19"),
            (tfAnchors { $0.featureMapSizes[0] = [100_000, 100_000] }, "anchors.featureMapSizes[0][0]", "must be in 1...1024, got 100000"),
            (tfAnchors { $0.featureMapSizes[1] = [10] }, "anchors.featureMapSizes[1]", "must be [height, width], got [10]"),
            (tfAnchors { $0.featureMapSizes = [] }, "anchors.featureMapSizes", "must hold 1...16 levels, got 0"),
            (tfAnchors { $0.minScale = 1e30 }, "anchors.minScale", "must be finite and in 0.001...10.0, got 1e+30"),
            (tfAnchors { $0.maxScale = -1 }, "anchors.maxScale", "must be finite and in 0.001...10.0, got -1.0"),
            (tfAnchors { $0.aspectRatios = [] }, "anchors.aspectRatios", "must hold 1...16 ratios, got 0"),
            (tfAnchors { $0.aspectRatios[2] = 0 }, "anchors.aspectRatios[2]", "must be finite and in 0.01...100.0, got 0.0"),
            (
                tfAnchors { $0.interpolatedScaleAspectRatio = .nan }, "anchors.interpolatedScaleAspectRatio",
                "must be finite and in 0.01...100.0, got nan"
            ),
            (defaultBoxes { $0.scales[0] = 1e30 }, "anchors.scales[0]", "must be finite and in 1.0...16384.0, got 1e+30"),
            (defaultBoxes { $0.scales.removeLast() }, "anchors.scales", "must hold 6 min sizes then 6 max sizes (12 values), got 11"),
            (defaultBoxes { $0.featureMapSizes[0] = -38 }, "anchors.featureMapSizes[0]", "must be in 1...1024, got -38"),
            (defaultBoxes { $0.steps[5] = 0 }, "anchors.steps[5]", "must be in 1...4096, got 0"),
            (defaultBoxes { $0.steps.removeLast() }, "anchors.steps", "must hold one step per level (6), got 5"),
            (defaultBoxes { $0.aspectRatios[1] = [2, -3] }, "anchors.aspectRatios[1][1]", "must be in 1...100, got -3"),
            (defaultBoxes { $0.aspectRatios.removeLast() }, "anchors.aspectRatios", "must hold one list per level (6), got 5"),
            (defaultBoxes { $0.flavor = "yolo" }, "anchors.flavor", "must be torchvision or caffe, got 'yolo'"),
            (defaultBoxes { $0.flavor = "torchvision" }, "anchors.scales", "must hold one scale per level and one more (7 values), got 12"),
        ])
    func hostile(_ manifest: ModelManifest, _ key: String, _ problem: String) {
        #expect(throws: ModelValidationError(file: "m.safetensors", key: key, problem: problem)) {
            try manifest.validate(file: "m.safetensors")
        }
    }
}
