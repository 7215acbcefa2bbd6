import Foundation
import ModelStore
import NeuralNet

/// A compact SSD for training from scratch on a small machine (the synthetic-data proof of `ssdd train`).
///
/// Backbone: four 3×3 conv + ReLU stages (2×2 max pool after the first three) to stride 8, then two 3×3 stride-2
/// convs; the stride-8, 16 and 32 maps are the three sources. Heads: one 3×3 conv per source for box regressions
/// (`head.regression.L`, `[H, W, A·4]`) and one for class logits (`head.classification.L`, `[H, W, A·K]`), with
/// torchvision's (y, x, a, k) flattening, torchvision-style default boxes (A = 4: s, √(s·s′), 2:1, 1:2) and
/// torchvision box coding (10, 10, 5, 5).
public enum SmallSSD {
    /// Sizes of the network.
    public struct Configuration: Sendable, Equatable {
        /// Input side in pixels; a multiple of 32.
        public var inputSize: Int
        /// Output channels of the six backbone convolutions.
        public var widths: [Int]
        /// Class labels, slot 0 background.
        public var labels: [String]
        /// Default-box scales (fraction of the input) per level plus one (torchvision `DefaultBoxGenerator` scales).
        public var scales: [Float]

        public init(inputSize: Int = 96, widths: [Int] = [16, 32, 64, 96, 96, 96], labels: [String], scales: [Float] = [0.12, 0.3, 0.55, 0.85]) {
            self.inputSize = inputSize
            self.widths = widths
            self.labels = labels
            self.scales = scales
        }
    }

    /// Graph input name.
    public static let inputName = "image"
    /// Default boxes per location at every level.
    public static let anchorsPerLocation = 4

    /// The network for `configuration`.
    public static func graph(_ configuration: Configuration) -> NetworkGraph {
        precondition(
            configuration.inputSize % 32 == 0 && configuration.widths.count == 6,
            "SmallSSD: input size must be a multiple of 32 and six widths given (configuration invariant)")
        var nodes: [NetworkNode] = []
        func conv(_ name: String, _ input: String, out: Int, kernel: Int = 3, stride: Int = 1, padding: Int = 1, activation: Activation) -> String {
            nodes.append(
                NetworkNode(
                    name: name, inputs: [input],
                    operation: .convolution(
                        Convolution(
                            weight: "\(name).weight", bias: "\(name).bias", outChannels: out, kernelHeight: kernel, kernelWidth: kernel,
                            strideY: stride, strideX: stride, padding: .uniform(padding), activation: activation))))
            return name
        }
        func pool(_ name: String, _ input: String) -> String {
            nodes.append(
                NetworkNode(
                    name: name, inputs: [input],
                    operation: .maxPool(
                        Pooling(
                            kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 2, padding: .uniform(0), ceilMode: false))))
            return name
        }
        let w = configuration.widths
        var x = inputName
        for stage in 0..<3 {
            x = conv("backbone.\(stage)", x, out: w[stage], activation: .relu)
            x = pool("backbone.pool\(stage)", x)
        }
        var sources = [conv("backbone.3", x, out: w[3], activation: .relu)]
        sources.append(conv("backbone.4", sources[0], out: w[4], stride: 2, activation: .relu))
        sources.append(conv("backbone.5", sources[1], out: w[5], stride: 2, activation: .relu))
        var outputs: [String] = []
        let a = anchorsPerLocation, k = configuration.labels.count
        for (level, source) in sources.enumerated() {
            outputs.append(conv("head.regression.\(level)", source, out: a * 4, activation: .none))
            outputs.append(conv("head.classification.\(level)", source, out: a * k, activation: .none))
        }
        return NetworkGraph(inputName: inputName, inputShape: [configuration.inputSize, configuration.inputSize, 3], nodes: nodes, outputs: outputs)
    }

    /// The manifest: RGB 0…255 mapped to [−1, 1] after a half-pixel bilinear resize, torchvision default boxes and coding,
    /// softmax scoring.
    public static func manifest(_ configuration: Configuration, source: String) -> ModelManifest {
        let size = configuration.inputSize
        let boxes = DefaultBoxes(
            flavor: "torchvision", featureMapSizes: [size / 8, size / 16, size / 32], aspectRatios: [[2], [2], [2]],
            scales: configuration.scales, steps: [8, 16, 32], clip: true)
        let heads = (0..<3).map { HeadOutputs(boxes: "head.regression.\($0)", classes: "head.classification.\($0)") }
        return ModelManifest(
            architecture: "ssdd_small_\(size)", source: source,
            preprocessing: Preprocessing(
                inputWidth: size, inputHeight: size, resize: .halfPixelBilinear, scale: [2 / 255, 2 / 255, 2 / 255],
                offset: [-1, -1, -1], normalizeBeforeResize: false),
            anchors: .ssdDefaultBoxes(boxes),
            boxCoding: BoxCoding(order: .xy, weights: [10, 10, 5, 5], sizeClamp: Float(Foundation.log(1000.0 / 16))),
            scoring: .softmax,
            postprocessing: Postprocessing(
                scoreThreshold: 0.01, iouThreshold: 0.45, candidatesPerClass: 200, maxPerClass: nil, maxDetections: 100,
                clipping: .clipThenSuppress),
            labels: configuration.labels, heads: heads)
    }
}
