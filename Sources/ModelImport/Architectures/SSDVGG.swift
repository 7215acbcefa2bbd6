import NeuralNet

/// SSD with the reduced, atrous VGG16 backbone (ssd.md §1), named exactly as torchvision's `ssd300_vgg16` state_dict.
///
/// - SSD300 is torchvision's `ssd300_vgg16`: pool3 `ceil_mode`, pool5 3×3 s1 p1, fc6 3×3 dilation 6 pad 6, fc7 1×1,
///   L2Norm (`F.normalize`, eps 1e-12, learned `backbone.scale_weight`) on conv4_3 only on the branch feeding head 0,
///   extras `extra.1…4` = (1×1 → 3×3 s2 p1) twice then (1×1 → 3×3 p0) twice; 6 levels, 38/19/10/5/3/1, A = 4,6,6,6,4,4.
/// - SSD512 is the Caffe/lufficc SSD512 layout (§1.5), *not* torchvision's `highres` variant: extras `extra.1…4` are all
///   (1×1 → 3×3 s2 p1), `extra.5` is 1×1 128 → 4×4 p1 256; 7 levels, 64/32/16/8/4/2/1, A = 4,6,6,6,6,4,4 (24,564 boxes).
///   Its keys extend torchvision's naming (`backbone.extra.5.*`, `module_list.6`).
///
/// Graph outputs, per level in order: box regressions `head.regression_head.module_list.L` `[H, W, A·4]`, then class
/// logits `head.classification_head.module_list.L` `[H, W, A·classes]` — torchvision's (y, x, a, k) flattening.
public enum SSDVGG {
    /// The two input resolutions.
    public enum Variant: String, Sendable, CaseIterable, Codable {
        case ssd300 = "ssd300_vgg16"
        case ssd512 = "ssd512_vgg16"

        /// Network input width and height.
        public var inputSize: Int { self == .ssd300 ? 300 : 512 }
        /// Default boxes per feature-map location, per level.
        public var anchorsPerLocation: [Int] { self == .ssd300 ? [4, 6, 6, 6, 4, 4] : [4, 6, 6, 6, 6, 4, 4] }
    }

    /// `F.normalize`'s default epsilon, which torchvision's SSD uses for the conv4_3 L2Norm.
    public static let l2NormEpsilon: Float = 1e-12

    /// SSD300-VGG16 with `numClasses` class slots (background included; 91 for torchvision COCO).
    public static func ssd300Graph(numClasses: Int) -> NetworkGraph { graph(.ssd300, numClasses: numClasses) }

    /// SSD512-VGG16 (Caffe layout) with `numClasses` class slots.
    public static func ssd512Graph(numClasses: Int) -> NetworkGraph { graph(.ssd512, numClasses: numClasses) }

    /// The network of `variant`.
    public static func graph(_ variant: Variant, numClasses: Int) -> NetworkGraph {
        let (assembler, outputs) = assemble(variant, numClasses: numClasses)
        return assembler.graph(outputs: outputs)
    }

    /// Parameter names and shapes in torchvision's state_dict order: `backbone.scale_weight`, `backbone.features.*`,
    /// `backbone.extra.*`, then the classification head and the regression head by level.
    public static func parameterShapes(_ variant: Variant, numClasses: Int) -> [(name: String, shape: [Int])] {
        let parameters = assemble(variant, numClasses: numClasses).assembler.parameters
        func rank(_ name: String) -> Int {
            if name == "backbone.scale_weight" { return 0 }
            if name.hasPrefix("head.classification_head.") { return 2 }
            if name.hasPrefix("head.regression_head.") { return 3 }
            return 1
        }
        return parameters.enumerated().sorted { a, b in
            (rank(a.element.name), a.offset) < (rank(b.element.name), b.offset)
        }.map(\.element)
    }

    /// Feature-map side length of each level.
    public static func featureMapSizes(_ variant: Variant) -> [Int] {
        let (assembler, outputs) = assemble(variant, numClasses: 2)
        return stride(from: 0, to: outputs.count, by: 2).map { assembler.shape(of: outputs[$0])[0] }
    }

    private static func assemble(_ variant: Variant, numClasses: Int) -> (assembler: GraphAssembler, outputs: [String]) {
        let size = variant.inputSize
        var b = GraphAssembler(inputShape: [size, size, 3])
        var sources = vggBackbone(&b)
        var x = sources[1]
        let e = "backbone.extra"
        // (mid channels, out channels, kernel, stride, padding) of extra.1 … extra.N.
        let extras: [(Int, Int, Int, Int, Int)] =
            variant == .ssd300
            ? [(256, 512, 3, 2, 1), (128, 256, 3, 2, 1), (128, 256, 3, 1, 0), (128, 256, 3, 1, 0)]
            : [(256, 512, 3, 2, 1), (128, 256, 3, 2, 1), (128, 256, 3, 2, 1), (128, 256, 3, 2, 1), (128, 256, 4, 1, 1)]
        for (index, (mid, out, kernel, stride, padding)) in extras.enumerated() {
            x = b.convolution("\(e).\(index + 1).0", x, out: mid, kernel: 1, padding: 0, activation: .relu)
            x = b.convolution("\(e).\(index + 1).2", x, out: out, kernel: kernel, stride: stride, padding: padding, activation: .relu)
            sources.append(x)
        }
        var outputs: [String] = []
        for (level, source) in sources.enumerated() {
            let anchors = variant.anchorsPerLocation[level]
            outputs.append(
                b.convolution(
                    "head.regression_head.module_list.\(level)", source, out: anchors * 4, kernel: 3, padding: 1, activation: .none))
            outputs.append(
                b.convolution(
                    "head.classification_head.module_list.\(level)", source, out: anchors * numClasses, kernel: 3, padding: 1,
                    activation: .none))
        }
        return (b, outputs)
    }

    /// VGG16 `features` up to conv4_3, the L2Norm source, and `extra.0` (pool4, conv5_x, pool5, fc6, fc7).
    /// Returns the first two sources: the normalised conv4_3 and fc7.
    private static func vggBackbone(_ b: inout GraphAssembler) -> [String] {
        let f = "backbone.features"
        var x = b.inputName
        // (index, out channels) of each 3×3 p1 conv; `nil` channels mark a 2×2 s2 max-pool.
        let layers: [(Int, Int?)] = [
            (0, 64), (2, 64), (4, nil), (5, 128), (7, 128), (9, nil), (10, 256), (12, 256), (14, 256), (16, nil),
            (17, 512), (19, 512), (21, 512),
        ]
        for (index, channels) in layers {
            if let channels {
                x = b.convolution("\(f).\(index)", x, out: channels, kernel: 3, padding: 1, activation: .relu)
            } else {
                // pool3 (features.16) rounds up: 75 → 38 (trap 1).
                x = b.maxPool("\(f).\(index)", x, kernel: 2, stride: 2, ceilMode: index == 16)
            }
        }
        let conv43 = x
        let normalized = b.l2Normalize("backbone.l2_norm", conv43, scale: "backbone.scale_weight", epsilon: l2NormEpsilon)
        let e = "backbone.extra.0"
        x = b.maxPool("\(e).0", conv43, kernel: 2, stride: 2)
        for index in [1, 3, 5] {
            x = b.convolution("\(e).\(index)", x, out: 512, kernel: 3, padding: 1, activation: .relu)
        }
        x = b.maxPool("\(e).7.0", x, kernel: 3, stride: 1, padding: 1)
        x = b.convolution("\(e).7.1", x, out: 1024, kernel: 3, padding: 6, dilation: 6, activation: .relu)
        x = b.convolution("\(e).7.3", x, out: 1024, kernel: 1, padding: 0, activation: .relu)
        return [normalized, x]
    }
}
