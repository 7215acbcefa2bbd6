import NeuralNet

/// SSD300-VGG16 backbone and heads as in ssd.md §1.1/§1.2, with torchvision parameter names
/// (`backbone.features.N.weight`, `backbone.extra.K.M.weight`, `backbone.scale_weight`,
/// `head.{regression,classification}_head.module_list.L.weight`). Outputs per level 0…5: box regressions `[H, W, A·4]`
/// then class logits `[H, W, A·classes]`, A = (4, 6, 6, 6, 4, 4).
enum SSD300VGG16Graph {
    static let anchorsPerLocation = [4, 6, 6, 6, 4, 4]

    static func make(inputSize: Int = 300, classes: Int = 91) -> GraphBuilder {
        var b = GraphBuilder(inputShape: [inputSize, inputSize, 3])
        func conv(
            _ key: String, _ input: String, _ out: Int, kernel: Int = 3, stride: Int = 1, pad: Int = 1,
            dilation: Int = 1, activation: Activation = .relu
        ) -> String {
            b.conv(
                key, input, out: out, kernel: kernel, stride: stride, dilation: dilation, padding: .uniform(pad),
                activation: activation, weightName: "\(key).weight", biasName: "\(key).bias")
        }
        let f = "backbone.features"
        var x = conv("\(f).0", "input", 64)
        x = conv("\(f).2", x, 64)
        x = b.maxPool("\(f).4", x, kernel: 2, stride: 2)
        x = conv("\(f).5", x, 128)
        x = conv("\(f).7", x, 128)
        x = b.maxPool("\(f).9", x, kernel: 2, stride: 2)
        x = conv("\(f).10", x, 256)
        x = conv("\(f).12", x, 256)
        x = conv("\(f).14", x, 256)
        x = b.maxPool("\(f).16", x, kernel: 2, stride: 2, ceil: true)
        x = conv("\(f).17", x, 512)
        x = conv("\(f).19", x, 512)
        let conv43 = conv("\(f).21", x, 512)
        var sources = [b.add("backbone.l2norm", [conv43], .l2Normalize(scale: "backbone.scale_weight", epsilon: 1e-12))]
        let e = "backbone.extra"
        x = b.maxPool("\(e).0.0", conv43, kernel: 2, stride: 2)
        x = conv("\(e).0.1", x, 512)
        x = conv("\(e).0.3", x, 512)
        x = conv("\(e).0.5", x, 512)
        x = b.maxPool("\(e).0.7.0", x, kernel: 3, stride: 1, padding: 1)
        x = conv("\(e).0.7.1", x, 1024, pad: 6, dilation: 6)
        x = conv("\(e).0.7.3", x, 1024, kernel: 1, pad: 0)
        sources.append(x)
        for (k, (mid, out, stride, pad)) in [(256, 512, 2, 1), (128, 256, 2, 1), (128, 256, 1, 0), (128, 256, 1, 0)].enumerated() {
            x = conv("\(e).\(k + 1).0", x, mid, kernel: 1, pad: 0)
            x = conv("\(e).\(k + 1).2", x, out, stride: stride, pad: pad)
            sources.append(x)
        }
        var outputs: [String] = []
        for (level, source) in sources.enumerated() {
            let a = anchorsPerLocation[level]
            outputs.append(conv("head.regression_head.module_list.\(level)", source, a * 4, activation: .none))
            outputs.append(conv("head.classification_head.module_list.\(level)", source, a * classes, activation: .none))
        }
        b.graph.outputs = outputs
        return b
    }
}
