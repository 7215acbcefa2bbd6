import ModelStore
import NeuralNet

/// The Caffe SSD layouts ssdd recognises from a converted graph, and the preprocessing each was trained with (a
/// prototxt does not state it).
enum CaffeArchitecture: String, Sendable, CaseIterable {
    /// weiliu89's SSD300 (VGG16 with conv4_3_norm and the reduced fc6/fc7), 6 levels.
    case ssd300VGG16 = "ssd300_vgg16_caffe"
    /// weiliu89's SSD512, 7 levels.
    case ssd512VGG16 = "ssd512_vgg16_caffe"
    /// chuanqi305's MobileNet-SSD (depthwise convolutions, BatchNorm + Scale, heads on conv11, conv13, conv14_2…17_2).
    case mobileNetSSD = "mobilenet_ssd_caffe"
    /// Any other Caffe SSD.
    case generic = "caffe_ssd"

    /// Recognises the layout from the converted graph and the number of head levels.
    init(graph: NetworkGraph, levels: Int) {
        let names = Set(graph.nodes.map(\.name))
        let side = graph.inputShape[0] == graph.inputShape[1] ? graph.inputShape[0] : 0
        let depthwise = graph.nodes.contains {
            if case .convolution(let c) = $0.operation { return c.groups > 1 && c.groups == c.outChannels }
            return false
        }
        let vgg = ["conv1_1", "conv4_3", "conv4_3_norm", "fc6", "fc7"].allSatisfy(names.contains)
        switch (vgg, depthwise, side, levels) {
        case (true, false, 300, 6): self = .ssd300VGG16
        case (true, false, 512, 7): self = .ssd512VGG16
        case (false, true, 300, 6) where names.contains("conv0") && names.contains("conv13"): self = .mobileNetSSD
        default: self = .generic
        }
    }

    /// Per-channel mean (in BGR order) subtracted from 0…255 pixels, then the scale.
    var defaultMean: [Float] {
        switch self {
        case .mobileNetSSD: return [127.5, 127.5, 127.5]
        case .ssd300VGG16, .ssd512VGG16, .generic: return [104, 117, 123]
        }
    }

    var defaultScale: Float {
        switch self {
        case .mobileNetSSD: return 0.007843
        case .ssd300VGG16, .ssd512VGG16, .generic: return 1
        }
    }

    /// The manifest preprocessing: `cv2.resize` INTER_LINEAR on 8-bit pixels, then `(pixel − mean) · scale` per
    /// channel in the network's channel order (what `cv2.dnn.blobFromImage` does), with `overrides` applied.
    func preprocessing(inputWidth: Int, inputHeight: Int, overrides: CaffePreprocessingOverrides) -> Preprocessing {
        let mean = overrides.mean ?? defaultMean
        let scale = overrides.scale ?? defaultScale
        var preprocessing = Preprocessing(
            inputWidth: inputWidth, inputHeight: inputHeight, resize: .openCVLinear, scale: [scale, scale, scale],
            offset: mean.map { -$0 * scale }, normalizeBeforeResize: false)
        preprocessing.channelOrder = overrides.channelOrder ?? .bgr
        return preprocessing
    }
}
