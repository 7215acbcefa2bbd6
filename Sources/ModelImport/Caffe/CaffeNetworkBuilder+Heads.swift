import ModelStore
import NeuralNet

/// The SSD head plumbing of a Caffe deploy net, followed without executing it:
///
///     conv (loc_l)  → Permute 0,2,3,1 → Flatten axis 1 ─┐ Concat axis 1 → mbox_loc ──────────────────────────┐
///     conv (conf_l) → Permute 0,2,3,1 → Flatten axis 1 ─┘ Concat axis 1 → Reshape [0,-1,K] → Softmax axis 2  ├→ DetectionOutput
///                                                                         → Flatten axis 1 → mbox_conf ─────┤
///     PriorBox(feature_l, data) ─────────────────────── Concat axis 2 → mbox_priorbox ──────────────────────┘
///
/// A permuted NHWC conv output flattened is the engine's own head layout ([H, W, A·4] and [H, W, A·K], channel
/// `a·K + k` at each pixel), so the head convolutions become graph outputs unchanged.
extension CaffeNetworkBuilder {
    mutating func convertConcat(_ layer: Caffe_LayerParameter) throws {
        guard !layer.bottom.isEmpty, layer.top.count == 1 else {
            throw fail(layer, "expected at least 1 bottom and 1 top, found \(layer.bottom.count) and \(layer.top.count)")
        }
        let p = layer.concatParam
        let axis = p.hasAxis ? Int(p.axis) : Int(p.concatDim)
        let inputs = try layer.bottom.indices.map { try value(layer, $0) }
        switch inputs[0] {
        case .feature:
            guard axis == 1 else { throw fail(layer, "concat_param.axis \(axis) on feature maps is not supported (only 1)") }
            let names = try layer.bottom.indices.map { try feature(layer, $0) }
            try emit(NetworkNode(name: layer.name, inputs: names, operation: .concatenate), for: layer)
        case .flattened:
            guard axis == 1 else { throw fail(layer, "concat_param.axis \(axis) on flattened heads is not supported (only 1)") }
            var all: [String] = []
            for (index, input) in inputs.enumerated() {
                guard case .flattened(let list) = input else { throw mixed(layer, index, input) }
                all += list
            }
            values[layer.top[0]] = .flattened(all)
        case .priors:
            guard axis == 2 else { throw fail(layer, "concat_param.axis \(axis) on prior boxes is not supported (only 2)") }
            var all: [CaffePriorBox] = []
            for (index, input) in inputs.enumerated() {
                guard case .priors(let list) = input else { throw mixed(layer, index, input) }
                all += list
            }
            values[layer.top[0]] = .priors(all)
        default:
            throw fail(layer, "concatenating \(inputs[0].kind) is not supported")
        }
    }

    private func mixed(_ layer: Caffe_LayerParameter, _ index: Int, _ input: CaffeValue) -> ModelImportError {
        fail(layer, "bottom \(index) ('\(ModelImportError.shown(layer.bottom[index]))') is \(input.kind), unlike bottom 0")
    }

    mutating func convertPermute(_ layer: Caffe_LayerParameter) throws {
        try arity(layer, bottoms: 1, tops: 1)
        guard layer.permuteParam.order == [0, 2, 3, 1] else {
            throw fail(
                layer, "permute_param.order \(layer.permuteParam.order) is not supported (only 0, 2, 3, 1 before a head's Flatten)")
        }
        values[layer.top[0]] = .permuted(try feature(layer, 0))
    }

    mutating func convertFlatten(_ layer: Caffe_LayerParameter) throws {
        try arity(layer, bottoms: 1, tops: 1)
        let p = layer.flattenParam
        guard p.axis == 1, p.endAxis == -1 else {
            throw fail(layer, "flatten_param axis \(p.axis), end_axis \(p.endAxis) is not supported (only 1 and -1)")
        }
        switch try value(layer, 0) {
        case .permuted(let name): values[layer.top[0]] = .flattened([name])
        case .scores(let list, let classes): values[layer.top[0]] = .scores(list, classes: classes)
        case let other:
            throw fail(
                layer, "flattening \(other.kind) is not supported (only a permuted head output or the softmax class scores)")
        }
    }

    mutating func convertReshape(_ layer: Caffe_LayerParameter) throws {
        try arity(layer, bottoms: 1, tops: 1)
        let p = layer.reshapeParam
        guard case .flattened(let list) = try value(layer, 0) else {
            throw fail(layer, "only the reshape of the flattened class head outputs to [N, anchors, classes] is supported")
        }
        let dims = p.shape.dim
        guard p.axis == 0, p.numAxes == -1, dims.count == 3, dims[0] == 0 || dims[0] == 1, dims[1] != 0,
            (2...100_000).contains(dims[2])
        else {
            throw fail(
                layer, "reshape_param shape \(dims) (axis \(p.axis), num_axes \(p.numAxes)) is not supported (only [0, -1, classes])")
        }
        values[layer.top[0]] = .reshapedScores(list, classes: Int(dims[2]))
    }

    mutating func convertSoftmax(_ layer: Caffe_LayerParameter) throws {
        try arity(layer, bottoms: 1, tops: 1)
        guard case .reshapedScores(let list, let classes) = try value(layer, 0) else {
            throw fail(layer, "only a softmax over the reshaped class head outputs is supported")
        }
        let axis = layer.softmaxParam.axis
        guard axis == 2 || axis == -1 else {
            throw fail(layer, "softmax_param.axis \(axis) is not supported (only 2 or -1: over the classes)")
        }
        values[layer.top[0]] = .scores(list, classes: classes)
    }

    mutating func convertPriorBox(_ layer: Caffe_LayerParameter) throws {
        try arity(layer, bottoms: 2, tops: 1)
        let featureMap = try peekFeature(layer, 0)
        let image = try peekFeature(layer, 1)
        guard image == inputName else {
            throw fail(layer, "bottom 1 must be the network input '\(inputName)' (the image the priors are relative to)")
        }
        let map = shape(of: featureMap)
        let prior = try CaffePriorBoxReading.priorBox(
            layer.priorBoxParam, featureMapHeight: map[0], featureMapWidth: map[1]
        ) { fail(layer, "prior_box_param: \($0)") }
        values[layer.top[0]] = .priors([prior])
    }

    mutating func convertDetectionOutput(_ layer: Caffe_LayerParameter) throws {
        guard layer.bottom.count == 3 else {
            throw fail(layer, "expected 3 bottoms (locations, confidences, priors), found \(layer.bottom.count)")
        }
        guard detectionOutput == nil else { throw fail(layer, "the net has more than one DetectionOutput layer") }
        guard case .flattened(let loc) = try value(layer, 0) else {
            throw fail(layer, "bottom 0 must be the concatenated, flattened box head outputs (mbox_loc)")
        }
        guard case .scores(let conf, let classes) = try value(layer, 1) else {
            throw fail(layer, "bottom 1 must be the softmax of the reshaped class head outputs (mbox_conf_flatten)")
        }
        guard case .priors(let priors) = try value(layer, 2) else {
            throw fail(layer, "bottom 2 must be the concatenated PriorBox outputs (mbox_priorbox)")
        }
        detectionOutput = (layer, loc, conf, classes, priors)
    }
}
