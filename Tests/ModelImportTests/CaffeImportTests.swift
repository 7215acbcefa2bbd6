import Foundation
import ModelStore
import NeuralNet
import TensorEngine
import TestSupport
import Testing

@testable import ModelImport

@Suite struct CaffeImportTests {
    let net = CaffeTinyNet()
    let labels = ["background", "cat", "dog"]

    private func importTiny(
        prototxt: String = CaffeTinyNet.prototxt, v1: Bool = false, values: CaffeTinyNet.ValueEncoding = .packed,
        overrides: CaffePreprocessingOverrides = .none
    ) throws -> ImportedModel {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let caffemodel = try net.caffemodel(v1: v1, values: values)
        let (text, weights) = try CaffeTinyNet.write(prototxt: prototxt, caffemodel: caffemodel, in: directory)
        return try importCaffeModel(prototxt: text, weights: weights, labels: labels, overrides: overrides)
    }

    @Test func tinyNetStructureAndManifest() throws {
        let model = try importTiny()
        let m = model.manifest
        #expect(m.architecture == "caffe_ssd")
        #expect(model.graph.inputShape == [20, 20, 3])
        #expect(
            m.heads == [
                HeadOutputs(boxes: "conv3_norm_mbox_loc", classes: "conv3_norm_mbox_conf"),
                HeadOutputs(boxes: "conv4_mbox_loc", classes: "conv4_mbox_conf"),
            ])
        #expect(model.graph.outputs == ["conv3_norm_mbox_loc", "conv3_norm_mbox_conf", "conv4_mbox_loc", "conv4_mbox_conf"])
        #expect(try model.graph.outputShapes() == [[10, 10, 16], [10, 10, 12], [5, 5, 20], [5, 5, 15]])
        guard case .caffePriorBoxes(let priors) = m.anchors else {
            Issue.record("anchors are \(m.anchors)")
            return
        }
        #expect(priors.count == 2)
        #expect(priors.map(\.featureMapHeight) == [10, 5] && priors.map(\.featureMapWidth) == [10, 5])
        #expect(priors.map(\.priorsPerLocation) == [4, 5])
        #expect(priors[0].minSizes == [4] && priors[0].maxSizes == [8] && priors[0].aspectRatios == [2])
        #expect(priors[0].stepWidth == 2 && priors[0].stepHeight == 2 && priors[1].stepWidth == nil)
        #expect(priors[1].aspectRatios == [2, 3] && priors[1].maxSizes.isEmpty && priors[1].flip && !priors[1].clip)
        #expect(priors[0].variances == [0.1, 0.1, 0.2, 0.2] && priors[0].offset == 0.5 && priors[0].imageWidth == nil)
        #expect(m.boxCoding == BoxCoding(order: .xy, weights: [1 / Float(0.1), 1 / Float(0.1), 5, 5], sizeClamp: nil))
        #expect(m.scoring == .softmax)
        #expect(
            m.postprocessing
                == Postprocessing(
                    scoreThreshold: 0.01, iouThreshold: 0.45, candidatesPerClass: 400, maxPerClass: nil, maxDetections: 200,
                    clipping: .unclipped))
        #expect(m.labels == labels)
        let p = m.preprocessing
        #expect(p.channelOrder == .bgr && p.resize == .openCVLinear && !p.normalizeBeforeResize)
        #expect(p.scale == [1, 1, 1] && p.offset == [-104, -117, -123])
        #expect(model.statistics.foldedBatchNormCount == 1)
        #expect(model.statistics.anchorCount == 10 * 10 * 4 + 5 * 5 * 5)
        // ReLUs fused into their convolutions, BatchNorm and Scale folded: conv1, pool1, conv2, conv3, norm, conv4, 4 heads.
        #expect(
            model.graph.nodes.map(\.name) == [
                "conv1", "pool1", "conv2", "conv3", "conv3_norm", "conv4", "conv3_norm_mbox_loc", "conv3_norm_mbox_conf",
                "conv4_mbox_loc", "conv4_mbox_conf",
            ])
        guard case .convolution(let conv2) = model.graph.nodes[2].operation, case .maxPool(let pool) = model.graph.nodes[1].operation
        else {
            Issue.record("unexpected operations")
            return
        }
        #expect(conv2.groups == 8 && conv2.activation == .relu && conv2.bias == "conv2.bias")
        #expect(pool.ceilMode && pool.kernelHeight == 3 && pool.strideY == 2)
    }

    /// The engine running the imported graph matches a direct float64 evaluation of the Caffe net (BatchNorm with
    /// its scale-factor blob and Scale folded into the depthwise convolution, ceil pooling, Normalize, dilation).
    @Test func engineMatchesDirectComputation() throws {
        let model = try importTiny()
        var parameters: [String: (shape: [Int], values: [Float])] = [:]
        for p in model.parameters { parameters[p.name] = (p.shape, p.values) }
        let network = try Network(graph: model.graph, parameters: InMemoryParameters(parameters))
        var rng = SplitMix64(seed: 7)
        let side = CaffeTinyNet.inputSide
        let chw = (0..<(3 * side * side)).map { _ in Double(Float(rng.next() >> 40) / Float(1 << 24) * 200 - 100) }
        var hwc = [Float](repeating: 0, count: chw.count)
        for c in 0..<3 {
            for i in 0..<(side * side) { hwc[i * 3 + c] = Float(chw[c * side * side + i]) }
        }
        let outputs = try network.forward(Tensor(shape: [side, side, 3], values: hwc))
        let reference = CaffeReferenceForward(blobs: net.blobs).heads(
            .init(channels: 3, height: side, width: side, values: chw))
        #expect(outputs.count == reference.count)
        for (index, (output, expected)) in zip(outputs, reference).enumerated() {
            #expect(output.values.count == expected.count)
            let scale = expected.map(abs).max() ?? 1
            let worst = zip(output.values, expected).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst <= 1e-5 * max(scale, 1), "output \(index): max |Δ| \(worst), values up to \(scale)")
            #expect(scale > 0.1, "output \(index) is degenerate")
        }
    }

    @Test func v1CaffemodelGivesTheSameModel() throws {
        let current = try importTiny()
        let v1 = try importTiny(v1: true)
        #expect(current.graph == v1.graph)
        #expect(current.parameters.map(\.name) == v1.parameters.map(\.name))
        #expect(current.parameters.map(\.values) == v1.parameters.map(\.values))
    }

    /// Packed records as Caffe writes them are copied whole; the same values split into two records, written unpacked
    /// (one record per value) or as doubles give the same parameters.
    @Test(arguments: CaffeTinyNet.ValueEncoding.allCases)
    func everyValueEncodingGivesTheSameModel(values: CaffeTinyNet.ValueEncoding) throws {
        let packed = try importTiny()
        let other = try importTiny(values: values)
        #expect(packed.graph == other.graph)
        #expect(packed.parameters.map(\.name) == other.parameters.map(\.name))
        #expect(packed.parameters.map(\.values) == other.parameters.map(\.values))
    }

    @Test func legacyNetInputDeclaration() throws {
        let inputLayer =
            #"layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 20 dim: 20 } } }"#
        #expect(CaffeTinyNet.prototxt.contains(inputLayer))
        let withShape = CaffeTinyNet.prototxt.replacingOccurrences(
            of: inputLayer, with: #"input: "data" input_shape { dim: 1 dim: 3 dim: 20 dim: 20 }"#)
        let withDims = CaffeTinyNet.prototxt.replacingOccurrences(
            of: inputLayer, with: #"input: "data" input_dim: 1 input_dim: 3 input_dim: 20 input_dim: 20"#)
        let reference = try importTiny()
        #expect(try importTiny(prototxt: withShape).graph == reference.graph)
        #expect(try importTiny(prototxt: withDims).graph == reference.graph)
    }

    @Test func preprocessingOverrides() throws {
        let model = try importTiny(overrides: CaffePreprocessingOverrides(mean: [127.5, 127.5, 127.5], scale: 0.5, channelOrder: .rgb))
        let p = model.manifest.preprocessing
        #expect(p.channelOrder == .rgb && p.scale == [0.5, 0.5, 0.5] && p.offset == [-63.75, -63.75, -63.75])
    }

    @Test func vocLabelsByDefaultFor21Classes() throws {
        #expect(DefaultLabels.voc.count == 21 && DefaultLabels.voc[15] == "person")
    }

    @Test func sourceFilesInEitherOrder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (text, weights) = try CaffeTinyNet.write(prototxt: CaffeTinyNet.prototxt, caffemodel: try net.caffemodel(), in: directory)
        #expect(try CaffeSourceFiles.pair(files: [text], weights: weights).map { [$0.prototxt, $0.weights] } == [text, weights])
        #expect(try CaffeSourceFiles.pair(files: [weights, text], weights: nil).map { [$0.prototxt, $0.weights] } == [text, weights])
        // Without telling extensions, the content decides.
        let plainText = directory.file("deploy")
        let plainWeights = directory.file("weights")
        try FileManager.default.copyItem(at: text, to: plainText)
        try FileManager.default.copyItem(at: weights, to: plainWeights)
        #expect(
            try CaffeSourceFiles.pair(files: [plainWeights, plainText], weights: nil).map { [$0.prototxt, $0.weights] }
                == [plainText, plainWeights])
        #expect(try CaffeSourceFiles.pair(files: [directory.file("model.pb")], weights: nil) == nil)
        #expect(throws: ModelImportError.self) { try CaffeSourceFiles.pair(files: [text, text], weights: nil) }
        #expect(throws: ModelImportError.self) { try CaffeSourceFiles.pair(files: [text], weights: nil) }
    }
}
