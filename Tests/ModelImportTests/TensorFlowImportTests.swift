import Foundation
import ModelStore
import NeuralNet
import Testing

@testable import ModelImport

/// Structure and settings of the real SSDLite person graph after import, checked without the inference engine.
@Suite(.enabled(if: RealGraph.isAvailable, "needs frozen_inference_graph.pb (see RealGraph)"))
struct TensorFlowImportTests {
    @Test func countsParametersAndNodes() throws {
        let model = try RealGraph.model()
        let stats = model.statistics
        #expect(stats.sourceNodeCount == 2790)
        #expect(stats.sourceParameterCount == 3_045_126)  // ssd.md §7.4: trainable Consts of the graph
        #expect(stats.movingStatisticCount == 50_752)
        #expect(stats.foldedBatchNormCount == 76)
        // Folding turns gamma and beta (2 × 25,376 channels) into one bias per channel.
        #expect(model.parameterCount == 3_019_750)
        #expect(model.parameters.count == 55 + 33 + 76 + 12)  // conv weights + dw weights + BN biases + head biases
        #expect(stats.anchorCount == 1917)
        let convolutions = model.graph.nodes.filter { if case .convolution = $0.operation { true } else { false } }
        let adds = model.graph.nodes.filter { if case .add = $0.operation { true } else { false } }
        #expect(convolutions.count == 88)
        #expect(adds.count == 10)
        #expect(model.graph.nodes.count == 98)
        let relu6 = convolutions.filter { if case .convolution(let c) = $0.operation { c.activation == .relu6 } else { false } }
        #expect(relu6.count == 59)
    }

    @Test func headsAndOutputs() throws {
        let model = try RealGraph.model()
        let heads = model.manifest.heads
        #expect(heads.count == 6)
        #expect(heads[3] == HeadOutputs(boxes: "BoxPredictor_3/BoxEncodingPredictor/BiasAdd", classes: "BoxPredictor_3/ClassPredictor/BiasAdd"))
        #expect(model.graph.outputs == heads.flatMap { [$0.boxes, $0.classes] })
        let channels = model.graph.outputs.map { name -> Int in
            guard case .convolution(let conv) = model.graph.nodes.first(where: { $0.name == name })?.operation else { return -1 }
            return conv.outChannels
        }
        #expect(channels == [12, 6, 24, 12, 24, 12, 24, 12, 24, 12, 24, 12])
        #expect(model.graph.inputName == "Preprocessor/sub")
        #expect(model.graph.inputShape == [300, 300, 3])
    }

    @Test func manifestSettings() throws {
        let manifest = try RealGraph.model().manifest
        #expect(manifest.architecture == "ssdlite_mobilenet_v2")
        #expect(manifest.source == "frozen_inference_graph.pb sha256 \(RealGraph.sha256); imported by ssdd TensorFlowDetectionImporter")
        #expect(manifest.labels == ["background", "person"])
        #expect(manifest.scoring == .sigmoid)
        #expect(manifest.boxCoding == BoxCoding(order: .yx, weights: [10, 10, 5, 5], sizeClamp: nil))
        #expect(
            manifest.postprocessing
                == Postprocessing(
                    scoreThreshold: Float(bitPattern: 0x322b_cc77), iouThreshold: 0.6, candidatesPerClass: nil,
                    maxPerClass: 100, maxDetections: 100, clipping: .suppressThenClip))
        #expect(manifest.postprocessing.scoreThreshold == 1e-8)
        #expect(
            manifest.preprocessing
                == Preprocessing(
                    inputWidth: 300, inputHeight: 300, resize: .tensorFlowLegacyBilinear,
                    scale: Array(repeating: Float(2.0 / 255.0), count: 3), offset: [-1, -1, -1], normalizeBeforeResize: false))
        #expect(manifest.preprocessing.scale[0].bitPattern == Float(0.007843137718737125).bitPattern)
        #expect(
            manifest.anchors
                == .tensorFlowMultipleGrid(
                    TensorFlowAnchors(
                        minScale: 0.2, maxScale: 0.95, aspectRatios: [1, 2, 0.5, 3, 0.3333], reduceBoxesInLowestLayer: true,
                        interpolatedScaleAspectRatio: 1, featureMapSizes: [[19, 19], [10, 10], [5, 5], [3, 3], [2, 2], [1, 1]])))
    }

    /// Every stride-2 convolution gets the asymmetric TF-SAME pads of ssd.md §7.3.
    @Test func stride2Padding() throws {
        let model = try RealGraph.model()
        let pads = model.graph.nodes.compactMap { node -> [Int]? in
            guard case .convolution(let conv) = node.operation, conv.strideY == 2, conv.kernelHeight == 3 else { return nil }
            return [conv.padding.top, conv.padding.bottom, conv.padding.left, conv.padding.right]
        }
        #expect(
            pads == [
                [0, 1, 0, 1], [0, 1, 0, 1], [1, 1, 1, 1], [0, 1, 0, 1], [1, 1, 1, 1], [0, 1, 0, 1], [1, 1, 1, 1], [1, 1, 1, 1], [0, 1, 0, 1],
            ])
    }

    /// The first convolution's folded weights and bias equal the float64 fold of the graph's own Consts.
    @Test func firstConvolutionFold() throws {
        let model = try RealGraph.model()
        guard case .convolution(let conv) = model.graph.nodes[0].operation else {
            Issue.record("first node is not a convolution")
            return
        }
        #expect(model.graph.nodes[0].name == "FeatureExtractor/MobilenetV2/Conv/Relu6")
        #expect(conv.weight == "FeatureExtractor/MobilenetV2/Conv/weights")
        #expect(conv.bias == "FeatureExtractor/MobilenetV2/Conv/biases")
        #expect(conv.padding == Padding(top: 0, left: 0, bottom: 1, right: 1))
        let graph = try TensorFlowGraph(serialized: Data(contentsOf: RealGraph.url), file: "graph")
        let hwio = try graph.floats("FeatureExtractor/MobilenetV2/Conv/weights")
        let parts = try ["gamma", "beta", "moving_mean", "moving_variance"].map {
            try graph.floats("FeatureExtractor/MobilenetV2/Conv/BatchNorm/\($0)")
        }
        let weights = try #require(model.parameters.first { $0.name == conv.weight })
        let bias = try #require(model.parameters.first { $0.name == conv.bias })
        #expect(weights.shape == [32, 3, 3, 3])
        let epsilon = Double(Float(0.001))
        for (out, input, y, x) in [(0, 0, 0, 0), (5, 2, 1, 2), (31, 1, 2, 0)] {
            let scale = Double(parts[0][out]) / (Double(parts[3][out]) + epsilon).squareRoot()
            let expected = Float(Double(hwio[((y * 3 + x) * 3 + input) * 32 + out]) * scale)
            #expect(weights.values[((out * 3 + input) * 3 + y) * 3 + x] == expected)
            #expect(bias.values[out] == Float(Double(parts[1][out]) - Double(parts[2][out]) * scale))
        }
    }

    /// Depthwise weights [3, 3, in, 1] become [in, 1, 3, 3] with groups = in.
    @Test func depthwiseLayout() throws {
        let model = try RealGraph.model()
        let node = try #require(model.graph.nodes.first { $0.name == "FeatureExtractor/MobilenetV2/expanded_conv_2/depthwise/Relu6" })
        guard case .convolution(let conv) = node.operation else {
            Issue.record("not a convolution")
            return
        }
        #expect(conv.groups == 144 && conv.outChannels == 144)
        #expect(node.inputs == ["FeatureExtractor/MobilenetV2/expanded_conv_2/expand/Relu6"])
        #expect(model.parameters.first { $0.name == conv.weight }?.shape == [144, 1, 3, 3])
        let add = try #require(model.graph.nodes.first { $0.name == "FeatureExtractor/MobilenetV2/expanded_conv_2/add" })
        #expect(
            add.inputs == [
                "FeatureExtractor/MobilenetV2/expanded_conv_2/project/BatchNorm/FusedBatchNorm",
                "FeatureExtractor/MobilenetV2/expanded_conv_1/project/BatchNorm/FusedBatchNorm",
            ])
    }
}
