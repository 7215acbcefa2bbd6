import Foundation
import ModelStore
import NeuralNet
import TestSupport
import Testing

/// Writing and validating native model files.
@Suite struct ModelFileTests {
    static let graph = NetworkGraph(
        inputName: "input", inputShape: [4, 4, 3],
        nodes: [
            NetworkNode(
                name: "conv", inputs: ["input"],
                operation: .convolution(
                    Convolution(
                        weight: "conv/weights", bias: "conv/biases", outChannels: 2, kernelHeight: 3, kernelWidth: 3,
                        padding: .uniform(1), activation: .relu6)))
        ],
        outputs: ["conv"])
    static let manifest = ModelManifest(
        architecture: "tiny", source: "unit test",
        preprocessing: Preprocessing(
            inputWidth: 4, inputHeight: 4, resize: .tensorFlowLegacyBilinear, scale: [1, 1, 1], offset: [0, 0, 0],
            normalizeBeforeResize: false),
        anchors: .tensorFlowMultipleGrid(
            TensorFlowAnchors(
                minScale: 0.2, maxScale: 0.95, aspectRatios: [1], reduceBoxesInLowestLayer: false,
                interpolatedScaleAspectRatio: 0, featureMapSizes: [[4, 4]])),
        boxCoding: BoxCoding(order: .yx, weights: [10, 10, 5, 5], sizeClamp: nil), scoring: .sigmoid,
        postprocessing: Postprocessing(
            scoreThreshold: 0.5, iouThreshold: 0.6, candidatesPerClass: nil, maxPerClass: 100, maxDetections: 100,
            clipping: .suppressThenClip),
        labels: ["background", "thing"], heads: [HeadOutputs(boxes: "conv", classes: "conv")])
    static let weights = (0..<54).map { Float($0) / 10 }
    static let parameters: [(name: String, shape: [Int], values: [Float])] = [
        ("conv/weights", [2, 3, 3, 3], weights), ("conv/biases", [2], [0.5, -0.5]), ("unused", [1], [9]),
    ]

    @Test func roundTripAndSummary() throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-store-tests")
        defer { directory.remove() }
        let url = directory.file("tiny.ssdd")
        try ModelFile.write(to: url, graph: Self.graph, manifest: Self.manifest, parameters: Self.parameters)
        let model = try ModelFile(contentsOf: url)
        #expect(model.graph == Self.graph)
        #expect(model.manifest == Self.manifest)
        try model.withParameter(named: "conv/weights") { view in
            #expect(view.shape == [2, 3, 3, 3])
            #expect(Array(view.values) == Self.weights)
        }
        // Releasing a tensor's pages keeps its values: they are read from the file again.
        model.releaseParameter(named: "conv/weights")
        model.releaseParameter(named: "no such tensor")
        try model.withParameter(named: "conv/weights") { view in #expect(Array(view.values) == Self.weights) }
        let summary = model.summary
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int
        #expect(summary.fileSize == size)
        #expect(summary.parameterCount == 57 && summary.tensorCount == 3)
        #expect(summary.description.contains("parameters:   57 in 3 tensors"))
        #expect(summary.description.contains("labels:       2 (background, thing)"))
        #expect(summary.architecture == "tiny" && summary.inputWidth == 4 && summary.nodeCount == 1)
    }

    @Test func writeRejectsMissingOrMisshapenParameters() throws {
        let url = URL(fileURLWithPath: "/tmp/never-written.ssdd")
        #expect(throws: ModelStoreError.missingTensor(file: url.path, tensor: "conv/biases")) {
            try ModelFile.write(to: url, graph: Self.graph, manifest: Self.manifest, parameters: [Self.parameters[0]])
        }
        let wrong: [(name: String, shape: [Int], values: [Float])] = [("conv/weights", [2, 3, 1, 9], Self.weights), Self.parameters[1]]
        #expect(
            throws: ModelStoreError.parameterShape(
                file: url.path, tensor: "conv/weights", node: "conv", expected: "[2, *, 3, 3]", actual: [2, 3, 1, 9])
        ) { try ModelFile.write(to: url, graph: Self.graph, manifest: Self.manifest, parameters: wrong) }
        #expect(
            ModelStoreError.parameterShape(file: "m", tensor: "w", node: "n", expected: "[2, *, 3, 3]", actual: [1]).description
                == "'m': tensor 'w' used by node 'n' has shape [1], expected [2, *, 3, 3]; the graph and weights disagree, re-import the model")
    }

    /// Files that are valid safetensors but not complete native models.
    @Test func loadRejectsIncompleteModels() throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-store-tests")
        defer { directory.remove() }
        let encoder = JSONEncoder()
        let graphJSON = String(decoding: try encoder.encode(Self.graph), as: UTF8.self)
        let manifestJSON = String(decoding: try encoder.encode(Self.manifest), as: UTF8.self)
        let full = ["ssdd.format": "1", "ssdd.graph": graphJSON, "ssdd.manifest": manifestJSON]
        let tensors = Self.parameters.map { SafeTensorsWriter.Tensor(name: $0.name, shape: $0.shape, values: $0.values) }

        func check(_ name: String, metadata: [String: String], tensors: [SafeTensorsWriter.Tensor], _ error: (String) -> ModelStoreError) throws {
            let url = directory.file(name)
            try SafeTensorsWriter.write(tensors: tensors, metadata: metadata, to: url)
            #expect(throws: error(url.path), "\(name)") { try ModelFile(contentsOf: url) }
        }
        try check("noformat", metadata: [:], tensors: tensors) { .missingMetadata(file: $0, key: "ssdd.format") }
        try check("v2", metadata: full.merging(["ssdd.format": "2"]) { $1 }, tensors: tensors) {
            .unsupportedFormatVersion(file: $0, found: "2", supported: "1")
        }
        try check("nograph", metadata: full.filter { $0.key != "ssdd.graph" }, tensors: tensors) {
            .missingMetadata(file: $0, key: "ssdd.graph")
        }
        try check("badmanifest", metadata: full.merging(["ssdd.manifest": "{}"]) { $1 }, tensors: tensors) {
            .invalidMetadata(file: $0, key: "ssdd.manifest", reason: "not valid ModelManifest JSON")
        }
        try check("nobias", metadata: full, tensors: tensors.filter { $0.name != "conv/biases" }) {
            .missingTensor(file: $0, tensor: "conv/biases")
        }
        #expect(
            ModelStoreError.missingTensor(file: "m.ssdd", tensor: "conv/biases").description
                == "'m.ssdd' has no tensor 'conv/biases'; re-import the model with `ssdd model import`")

        // A float16 tensor is valid safetensors but not a native model.
        let header = #"{"__metadata__":{"ssdd.format":"1"},"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}"#
        let url = try directory.write(safetensorsBytes(header: header, data: [0, 0x3C]), to: "half")
        #expect(throws: ModelStoreError.missingMetadata(file: url.path, key: "ssdd.graph")) { try ModelFile(contentsOf: url) }
        var metadata = full
        metadata["ssdd.graph"] = String(
            decoding: try encoder.encode(NetworkGraph(inputName: "x", inputShape: [1, 1, 1], nodes: [], outputs: [])), as: UTF8.self)
        let escaped = String(decoding: try JSONEncoder().encode(metadata), as: UTF8.self)
        let halfModel = try directory.write(
            safetensorsBytes(header: #"{"__metadata__":\#(escaped),"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}"#, data: [0, 0x3C]),
            to: "half-model")
        #expect(throws: ModelStoreError.unsupportedDType(file: halfModel.path, tensor: "h", dtype: "F16", supported: "F32")) {
            try ModelFile(contentsOf: halfModel)
        }
    }
}
