import Foundation
import ModelStore
import NeuralNet

/// Converts the layers of a Caffe SSD deploy prototxt, in order, into ``NeuralNet/NetworkGraph`` nodes, reading the
/// blobs from the caffemodel by layer name.
///
/// Network layers: Input, Convolution (groups incl. depthwise, dilation, per-axis kernel/stride/pad), ReLU (slope 0),
/// Pooling (MAX, Caffe's ceil rounding, global), BatchNorm and Scale (folded into the convolution before them),
/// Eltwise (SUM of two, unit coefficients), Concat (channels), Normalize (per pixel across channels), Dropout and Split
/// (identity). The SSD head plumbing is followed symbolically (see ``CaffeValue``) by `CaffeNetworkBuilder+Heads`.
/// Every emitted node is named after its Caffe layer; parameters are `<layer>.weight`, `<layer>.bias`, `<layer>.scale`.
struct CaffeNetworkBuilder {
    /// The prototxt's path, for errors.
    let file: String
    let weights: CaffeWeights
    let limits: CaffeReadLimits

    /// Name of the network input (the prototxt's input blob).
    private(set) var inputName = ""
    /// [height, width, channels] of the network input.
    private(set) var inputShape: [Int] = []
    private(set) var nodes: [NetworkNode] = []
    /// [H, W, C] of every engine value.
    private(set) var shapes: [String: [Int]] = [:]
    /// What each Caffe blob name currently stands for (in-place layers rebind it).
    var values: [String: CaffeValue] = [:]
    /// The DetectionOutput layer and its three inputs, once seen.
    var detectionOutput: (layer: Caffe_LayerParameter, loc: [String], conf: [String], classes: Int, priors: [CaffePriorBox])?

    /// Convolutions by node name, their BatchNorm/Scale folding pending.
    private var convolutions: [String: CaffeConvolutionRecord] = [:]
    /// Other parameters (Normalize scales) in creation order.
    private var extraParameters: [(name: String, shape: [Int], values: [Float])] = []
    /// How many layers read each engine value so far (a value read before a following ReLU/BatchNorm cannot have it
    /// fused, or the earlier reader would see the changed value).
    private var readers: [String: Int] = [:]
    private var nodeIndex: [String: Int] = [:]

    private(set) var sourceParameterCount = 0
    private(set) var movingStatisticCount = 0
    private(set) var foldedBatchNormCount = 0

    init(file: String, weights: CaffeWeights, limits: CaffeReadLimits) {
        self.file = file
        self.weights = weights
        self.limits = limits
    }

    /// The converted parameters: convolutions (in node order, folding applied) and Normalize scales.
    var parameters: [(name: String, shape: [Int], values: [Float])] {
        var result: [(name: String, shape: [Int], values: [Float])] = []
        for node in nodes {
            guard case .convolution(let conv) = node.operation, let record = convolutions[node.name] else { continue }
            let (w, b) = record.folded()
            let inPerGroup = w.count / (conv.outChannels * conv.kernelHeight * conv.kernelWidth)
            result.append((conv.weight, [conv.outChannels, inPerGroup, conv.kernelHeight, conv.kernelWidth], w))
            if let b, let biasName = conv.bias { result.append((biasName, [conv.outChannels], b)) }
        }
        return result + extraParameters
    }

    // MARK: - Layers

    /// Converts the layers of `net` that are part of the TEST-phase network.
    mutating func convert(_ net: Caffe_NetParameter) throws {
        guard net.layers.isEmpty else {
            throw ModelImportError.notACaffeNet(
                file: file,
                reason: "the prototxt uses the pre-2015 'layers' (V1) format; convert it with Caffe's upgrade_net_proto_text "
                    + "(V1 is read only from caffemodels)")
        }
        if !net.input.isEmpty { try declareNetInput(net) }
        var names = Set<String>()
        for layer in net.layer where Self.isInTestPhase(layer) {
            guard names.insert(layer.name).inserted else {
                throw fail(layer, "another layer has the same name; layer names must be unique to match blobs")
            }
            try convert(layer)
        }
    }

    /// Whether Caffe would instantiate `layer` in a TEST-phase net (its include/exclude rules by phase).
    static func isInTestPhase(_ layer: Caffe_LayerParameter) -> Bool {
        if layer.hasPhase, layer.phase == .train { return false }
        if !layer.include.isEmpty { return layer.include.contains { !$0.hasPhase || $0.phase == .test } }
        return !layer.exclude.contains { $0.hasPhase && $0.phase == .test }
    }

    private mutating func convert(_ layer: Caffe_LayerParameter) throws {
        switch layer.type {
        case "Input": try convertInput(layer)
        case "Convolution": try convertConvolution(layer)
        case "ReLU": try convertReLU(layer)
        case "BatchNorm": try convertBatchNorm(layer)
        case "Scale": try convertScale(layer)
        case "Pooling": try convertPooling(layer)
        case "Eltwise": try convertEltwise(layer)
        case "Concat": try convertConcat(layer)
        case "Normalize": try convertNormalize(layer)
        case "Dropout", "Split": try convertIdentity(layer)
        case "Permute": try convertPermute(layer)
        case "Flatten": try convertFlatten(layer)
        case "Reshape": try convertReshape(layer)
        case "Softmax": try convertSoftmax(layer)
        case "PriorBox": try convertPriorBox(layer)
        case "DetectionOutput": try convertDetectionOutput(layer)
        default:
            throw fail(
                layer,
                "this layer type is not supported (supported: Input, Convolution, ReLU, BatchNorm, Scale, Pooling, Eltwise, "
                    + "Concat, Normalize, Dropout, Split, Permute, Flatten, Reshape, Softmax, PriorBox, DetectionOutput)")
        }
    }

    private mutating func declareNetInput(_ net: Caffe_NetParameter) throws {
        guard net.input.count == 1 else {
            throw ModelImportError.notACaffeNet(file: file, reason: "the net declares \(net.input.count) inputs, expected 1")
        }
        let dims: [Int64]
        if let shape = net.inputShape.first {
            dims = shape.dim
        } else {
            dims = net.inputDim.map { Int64($0) }
        }
        let file = self.file
        let name = net.input[0]
        try setInput(name: name, dims: dims) {
            ModelImportError.notACaffeNet(file: file, reason: "input '\(ModelImportError.shown(name))': \($0)")
        }
    }

    private mutating func convertInput(_ layer: Caffe_LayerParameter) throws {
        try arity(layer, bottoms: 0, tops: 1)
        guard layer.inputParam.shape.count == 1 else {
            throw fail(layer, "input_param must state exactly one shape, found \(layer.inputParam.shape.count)")
        }
        let file = self.file
        try setInput(name: layer.top[0], dims: layer.inputParam.shape[0].dim) {
            ModelImportError.caffeLayer(file: file, layer: layer.name, type: layer.type, reason: $0)
        }
    }

    private mutating func setInput(name: String, dims: [Int64], fail: (String) -> ModelImportError) throws {
        guard inputName.isEmpty else { throw fail("the net already has an input ('\(inputName)'); only one is supported") }
        guard dims.count == 4 else { throw fail("the input shape must be [N, C, H, W], found \(dims)") }
        let side = Int64(limits.maximumInputSide)
        guard (1...64).contains(dims[0]), dims[1] == 3, (1...side).contains(dims[2]), (1...side).contains(dims[3]) else {
            throw fail("the input shape \(dims) must be [N, 3, H, W] with N in 1...64 and H, W in 1...\(side)")
        }
        inputName = name
        inputShape = [Int(dims[2]), Int(dims[3]), 3]
        shapes[name] = inputShape
        values[name] = .feature(name)
    }

    private mutating func convertConvolution(_ layer: Caffe_LayerParameter) throws {
        try arity(layer, bottoms: 1, tops: 1)
        let input = try feature(layer, 0)
        let inShape = shapes[input]!
        let p = layer.convolutionParam
        guard p.axis == 1 else { throw fail(layer, "convolution_param.axis \(p.axis) is not supported (only 1)") }
        let window: CaffeWindow
        do {
            window = try CaffeWindow(p)
        } catch {
            throw fail(layer, "convolution_param: \(error.reason)")
        }
        let out = Int(p.numOutput)
        let groups = Int(p.group)
        guard (1...65_536).contains(out) else {
            throw fail(layer, "convolution_param.num_output \(p.numOutput) must be in 1...65536")
        }
        guard groups >= 1, inShape[2] % groups == 0, out % groups == 0 else {
            throw fail(
                layer, "convolution_param.group \(p.group) must divide the \(inShape[2]) input and \(out) output channels")
        }
        let weightShape = [out, inShape[2] / groups, window.kernelHeight, window.kernelWidth]
        let w = try weights.values(layer, blob: 0, expected: weightShape, role: "weights")
        let b = p.biasTerm ? try weights.values(layer, blob: 1, expected: [out], role: "bias") : nil
        let stored = weights.blobCount(for: layer.name)
        guard stored == (p.biasTerm ? 2 : 1) else {
            throw fail(
                layer, "the caffemodel holds \(stored) blobs for this layer, expected \(p.biasTerm ? 2 : 1) (bias_term: \(p.biasTerm))")
        }
        sourceParameterCount += w.count + (b?.count ?? 0)
        // Folded BatchNorm/Scale layers give every convolution a bias, so the name is reserved for all of them.
        let conv = Convolution(
            weight: "\(layer.name).weight", bias: "\(layer.name).bias", outChannels: out,
            kernelHeight: window.kernelHeight, kernelWidth: window.kernelWidth, strideY: window.strideY, strideX: window.strideX,
            dilationY: window.dilationY, dilationX: window.dilationX, groups: groups,
            padding: Padding(top: window.padY, left: window.padX, bottom: window.padY, right: window.padX), activation: .none)
        convolutions[layer.name] = CaffeConvolutionRecord(
            weights: w, bias: b ?? [Float](repeating: 0, count: out), outChannels: out)
        try emit(NetworkNode(name: layer.name, inputs: [input], operation: .convolution(conv)), for: layer)
    }

    private mutating func convertReLU(_ layer: Caffe_LayerParameter) throws {
        try arity(layer, bottoms: 1, tops: 1)
        guard layer.reluParam.negativeSlope == 0 else {
            throw fail(layer, "relu_param.negative_slope \(layer.reluParam.negativeSlope) is not supported (only 0)")
        }
        let input = try peekFeature(layer, 0)
        if readers[input, default: 0] == 0, let index = nodeIndex[input] {
            switch nodes[index].operation {
            case .convolution(var conv) where conv.activation == .none:
                conv.activation = .relu
                nodes[index].operation = .convolution(conv)
                values[layer.top[0]] = .feature(input)
                return
            case .add(.none):
                nodes[index].operation = .add(activation: .relu)
                values[layer.top[0]] = .feature(input)
                return
            default:
                break
            }
        }
        readers[input, default: 0] += 1
        try emit(NetworkNode(name: layer.name, inputs: [input], operation: .activation(.relu)), for: layer)
    }

    /// The convolution whose output `layer` (a BatchNorm or Scale) can be folded into.
    private func foldTarget(_ layer: Caffe_LayerParameter) throws -> String {
        let input = try peekFeature(layer, 0)
        guard readers[input, default: 0] == 0, let index = nodeIndex[input], case .convolution(let conv) = nodes[index].operation,
            conv.activation == .none
        else {
            throw fail(
                layer,
                "only a \(layer.type) directly after a Convolution (before any activation, and whose output nothing else "
                    + "reads first) can be converted; it is folded into that convolution")
        }
        return input
    }

    private mutating func convertBatchNorm(_ layer: Caffe_LayerParameter) throws {
        try arity(layer, bottoms: 1, tops: 1)
        let p = layer.batchNormParam
        if p.hasUseGlobalStats, !p.useGlobalStats {
            throw fail(layer, "batch_norm_param.use_global_stats false (batch statistics) is not supported at inference")
        }
        guard p.eps.isFinite, p.eps >= 0 else { throw fail(layer, "batch_norm_param.eps \(p.eps) must be finite and ≥ 0") }
        let target = try foldTarget(layer)
        let channels = shapes[target]![2]
        let mean = try weights.values(layer, blob: 0, expected: [channels], role: "moving mean")
        let variance = try weights.values(layer, blob: 1, expected: [channels], role: "moving variance")
        let factor = try weights.values(layer, blob: 2, expected: [1], role: "moving-average scale factor")
        guard factor[0].isFinite, factor[0] >= 0 else {
            throw fail(layer, "blob 2 (scale factor) is \(factor[0]), expected a finite number ≥ 0")
        }
        // Caffe (and OpenCV) divide the stored sums by the factor; a zero factor means zero statistics.
        let inverse = factor[0] == 0 ? 0 : 1 / Double(factor[0])
        var multiplier = [Double](repeating: 0, count: channels)
        var shift = [Double](repeating: 0, count: channels)
        for c in 0..<channels {
            let m = Double(mean[c]) * inverse
            let v = Double(variance[c]) * inverse
            let denominator = (v + Double(p.eps)).squareRoot()
            guard m.isFinite, v.isFinite, v >= 0, denominator > 0 else {
                throw fail(layer, "channel \(c) has mean \(m) and variance \(v); expected finite values and variance + eps > 0")
            }
            multiplier[c] = 1 / denominator
            shift[c] = -m / denominator
        }
        convolutions[target]!.compose(multiplier: multiplier, shift: shift)
        movingStatisticCount += mean.count + variance.count + factor.count
        foldedBatchNormCount += 1
        values[layer.top[0]] = .feature(target)
    }

    private mutating func convertScale(_ layer: Caffe_LayerParameter) throws {
        guard layer.bottom.count == 1 else {
            throw fail(layer, "a Scale with \(layer.bottom.count) bottoms is not supported (only a learned per-channel scale)")
        }
        try arity(layer, bottoms: 1, tops: 1)
        let p = layer.scaleParam
        guard p.axis == 1, p.numAxes == 1 else {
            throw fail(layer, "scale_param axis \(p.axis), num_axes \(p.numAxes) is not supported (only axis 1, num_axes 1)")
        }
        let target = try foldTarget(layer)
        let channels = shapes[target]![2]
        let gamma = try weights.values(layer, blob: 0, expected: [channels], role: "scale")
        let beta = p.biasTerm ? try weights.values(layer, blob: 1, expected: [channels], role: "bias") : nil
        guard gamma.allSatisfy(\.isFinite), beta?.allSatisfy(\.isFinite) ?? true else {
            throw fail(layer, "the scale and bias must be finite")
        }
        convolutions[target]!.compose(
            multiplier: gamma.map(Double.init), shift: beta?.map(Double.init) ?? [Double](repeating: 0, count: channels))
        sourceParameterCount += gamma.count + (beta?.count ?? 0)
        values[layer.top[0]] = .feature(target)
    }

    private mutating func convertPooling(_ layer: Caffe_LayerParameter) throws {
        try arity(layer, bottoms: 1, tops: 1)
        let p = layer.poolingParam
        guard p.pool == .max else {
            throw fail(layer, "pooling_param.pool \(p.pool) is not supported (only MAX)")
        }
        let input = try feature(layer, 0)
        let s = shapes[input]!
        let window: CaffeWindow
        do {
            window = try CaffeWindow(p, height: s[0], width: s[1])
        } catch {
            throw fail(layer, "pooling_param: \(error.reason)")
        }
        // Caffe rounds pooled sizes up and drops a last window that would start in the bottom/right padding: the
        // engine's ceilMode does the same.
        let pooling = Pooling(
            kernelHeight: window.kernelHeight, kernelWidth: window.kernelWidth, strideY: window.strideY, strideX: window.strideX,
            padding: Padding(top: window.padY, left: window.padX, bottom: window.padY, right: window.padX), ceilMode: true)
        try emit(NetworkNode(name: layer.name, inputs: [input], operation: .maxPool(pooling)), for: layer)
    }

    private mutating func convertEltwise(_ layer: Caffe_LayerParameter) throws {
        try arity(layer, bottoms: 2, tops: 1)
        let p = layer.eltwiseParam
        guard p.operation == .sum else {
            throw fail(layer, "eltwise_param.operation \(p.operation) is not supported (only SUM)")
        }
        guard p.coeff.allSatisfy({ $0 == 1 }) else {
            throw fail(layer, "eltwise_param.coeff \(p.coeff) is not supported (only 1 for every input)")
        }
        let a = try feature(layer, 0)
        let b = try feature(layer, 1)
        guard shapes[a] == shapes[b] else {
            throw fail(layer, "the inputs have different shapes \(shapes[a]!) and \(shapes[b]!) (NCHW order: C last here)")
        }
        try emit(NetworkNode(name: layer.name, inputs: [a, b], operation: .add(activation: .none)), for: layer)
    }

    private mutating func convertNormalize(_ layer: Caffe_LayerParameter) throws {
        try arity(layer, bottoms: 1, tops: 1)
        let p = layer.normParam
        guard !p.acrossSpatial else {
            throw fail(layer, "norm_param.across_spatial true is not supported (SSD uses false: per pixel across channels)")
        }
        guard p.eps.isFinite, p.eps >= 0, p.eps <= 1 else {
            throw fail(layer, "norm_param.eps \(p.eps) must be finite and in 0...1")
        }
        let input = try feature(layer, 0)
        let channels = shapes[input]![2]
        let stored = try weights.values(layer, blob: 0, expected: [p.channelShared ? 1 : channels], role: "scale")
        guard stored.allSatisfy(\.isFinite) else { throw fail(layer, "the scale must be finite") }
        sourceParameterCount += stored.count
        let scale = p.channelShared ? [Float](repeating: stored[0], count: channels) : stored
        let name = "\(layer.name).scale"
        extraParameters.append((name, [channels], scale))
        // Caffe divides by sqrt(Σx² + eps); the engine by max(‖x‖, epsilon). With epsilon = sqrt(eps) the two agree
        // except for vectors whose squared norm is within a few eps of zero.
        let epsilon = Float(Double(p.eps).squareRoot())
        try emit(NetworkNode(name: layer.name, inputs: [input], operation: .l2Normalize(scale: name, epsilon: epsilon)), for: layer)
    }

    private mutating func convertIdentity(_ layer: Caffe_LayerParameter) throws {
        guard layer.bottom.count == 1, !layer.top.isEmpty else {
            throw fail(layer, "expected 1 bottom and at least 1 top, found \(layer.bottom.count) and \(layer.top.count)")
        }
        let value = try self.value(layer, 0)
        if case .feature(let name) = value { readers[name, default: 0] += 1 }
        for top in layer.top { values[top] = value }
    }

    // MARK: - Helpers

    /// Appends `node`, infers its shape with the engine's own shape rules, and binds the layer's top to it.
    mutating func emit(_ node: NetworkNode, for layer: Caffe_LayerParameter) throws {
        let partial = NetworkGraph(inputName: inputName, inputShape: inputShape, nodes: nodes + [node], outputs: [node.name])
        let shape: [Int]
        do {
            shape = try partial.outputShapes()[0]
        } catch {
            throw fail(layer, "the engine cannot run this layer: \(error)")
        }
        nodeIndex[node.name] = nodes.count
        nodes.append(node)
        shapes[node.name] = shape
        values[layer.top[0]] = .feature(node.name)
    }

    /// The value bottom `index` of `layer` names.
    func value(_ layer: Caffe_LayerParameter, _ index: Int) throws -> CaffeValue {
        let name = layer.bottom[index]
        guard let value = values[name] else {
            throw fail(layer, "bottom '\(ModelImportError.shown(name))' is not produced by any earlier layer or input")
        }
        return value
    }

    /// The engine value bottom `index` of `layer` names, counted as read.
    mutating func feature(_ layer: Caffe_LayerParameter, _ index: Int) throws -> String {
        let name = try peekFeature(layer, index)
        readers[name, default: 0] += 1
        return name
    }

    /// The engine value bottom `index` of `layer` names, not counted as read (for layers folded into its producer).
    func peekFeature(_ layer: Caffe_LayerParameter, _ index: Int) throws -> String {
        let value = try self.value(layer, index)
        guard case .feature(let name) = value else {
            throw fail(layer, "bottom '\(ModelImportError.shown(layer.bottom[index]))' is \(value.kind), expected a feature map")
        }
        return name
    }

    /// [H, W, C] of engine value `name`.
    func shape(of name: String) -> [Int] { shapes[name] ?? [] }

    func arity(_ layer: Caffe_LayerParameter, bottoms: Int, tops: Int) throws {
        guard layer.bottom.count == bottoms, layer.top.count == tops else {
            throw fail(
                layer, "expected \(bottoms) bottom(s) and \(tops) top(s), found \(layer.bottom.count) and \(layer.top.count)")
        }
    }

    func fail(_ layer: Caffe_LayerParameter, _ reason: String) -> ModelImportError {
        ModelImportError.caffeLayer(file: file, layer: layer.name, type: layer.type, reason: reason)
    }
}
