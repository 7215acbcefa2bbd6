import NeuralNet

/// SSDLite-MobileNetV2 as in ssd.md §7.3/§7.4/§7.9, with BatchNorm already folded into conv weights + biases
/// (every conv therefore has a bias) and TF-SAME pads computed from the actual input size (extra pixel bottom/right).
///
/// Parameter names are the TF scopes plus `/weights` and `/biases`. Outputs, per level 0…5: box encodings
/// `[H, W, A·4]` then class logits `[H, W, A·classes]`, A = (3, 6, 6, 6, 6, 6).
enum SSDLiteMobileNetV2Graph {
    /// (expansion t, output channels c, stride s) of the 17 inverted-residual blocks (§7.9 step 4).
    static let blocks: [(t: Int, c: Int, s: Int)] = [
        (1, 16, 1), (6, 24, 2), (6, 24, 1), (6, 32, 2), (6, 32, 1), (6, 32, 1), (6, 64, 2), (6, 64, 1), (6, 64, 1),
        (6, 64, 1), (6, 96, 1), (6, 96, 1), (6, 96, 1), (6, 160, 2), (6, 160, 1), (6, 160, 1), (6, 320, 1),
    ]
    static let anchorsPerLocation = [3, 6, 6, 6, 6, 6]

    static func make(inputSize: Int = 300, classes: Int = 2) -> GraphBuilder {
        var b = GraphBuilder(inputShape: [inputSize, inputSize, 3])
        let fe = "FeatureExtractor/MobilenetV2"
        var x = b.conv("\(fe)/Conv", "input", out: 32, kernel: 3, stride: 2, tfSame: true, activation: .relu6)
        var features: [String] = []
        for (i, block) in blocks.enumerated() {
            let scope = i == 0 ? "\(fe)/expanded_conv" : "\(fe)/expanded_conv_\(i)"
            let cin = b.shapes[x]![2]
            var h = x
            if block.t != 1 {
                h = b.conv("\(scope)/expand", h, out: makeDivisible(cin * block.t), activation: .relu6)
                if i == 13 { features.append(h) }  // layer_15/expansion_output: 19×19×576
            }
            h = b.depthwise("\(scope)/depthwise", h, stride: block.s)
            h = b.conv("\(scope)/project", h, out: block.c, activation: .none)
            if block.s == 1 && cin == block.c { h = b.add("\(scope)/add", [x, h], .add(activation: .none)) }
            x = h
        }
        x = b.conv("\(fe)/Conv_1", x, out: 1280, activation: .relu6)
        features.append(x)
        for (i, d) in zip(2...5, [512, 256, 256, 128]) {
            let half = b.conv("\(fe)/layer_19_1_Conv2d_\(i)_1x1_\(d / 2)", x, out: d / 2, activation: .relu6)
            let dw = b.depthwise("\(fe)/layer_19_2_Conv2d_\(i)_3x3_s2_\(d)_depthwise", half, stride: 2)
            x = b.conv("\(fe)/layer_19_2_Conv2d_\(i)_3x3_s2_\(d)", dw, out: d, activation: .relu6)
            features.append(x)
        }
        var outputs: [String] = []
        for (level, feature) in features.enumerated() {
            let a = anchorsPerLocation[level]
            for (head, channels) in [("BoxEncodingPredictor", a * 4), ("ClassPredictor", a * classes)] {
                let scope = "BoxPredictor_\(level)/\(head)"
                let dw = b.depthwise("\(scope)_depthwise", feature, stride: 1)
                outputs.append(b.conv(scope, dw, out: channels, activation: .none))
            }
        }
        b.graph.outputs = outputs
        return b
    }

    /// TF slim `make_divisible(v, 8)`.
    static func makeDivisible(_ v: Int, divisor: Int = 8) -> Int {
        let rounded = max(divisor, (v + divisor / 2) / divisor * divisor)
        return Double(rounded) < 0.9 * Double(v) ? rounded + divisor : rounded
    }
}
