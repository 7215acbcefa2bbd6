import NeuralNet

/// The attributes of a TensorFlow `Conv2D` or `DepthwiseConv2dNative` node, read and checked.
struct TensorFlowConvolutionNode {
    /// The conv node's data input.
    let input: String
    /// Name of the Const holding the weights (Identity `…/read` nodes skipped).
    let weightsNode: String
    let isDepthwise: Bool
    let kernelHeight: Int
    let kernelWidth: Int
    /// Input channels per the weights ([kh, kw, in, out or multiplier]).
    let inChannels: Int
    let outChannels: Int
    let strideY: Int
    let strideX: Int
    let dilationY: Int
    let dilationX: Int
    let samePadding: Bool
    /// The TensorFlow weights as stored (HWIO or [kh, kw, in, multiplier]).
    let weights: [Float]

    /// Reads `node`; throws ``ModelImportError/unsupportedNode(file:node:op:reason:)`` for NCHW, explicit padding or
    /// malformed attributes.
    init(_ node: Tensorflow_NodeDef, graph: TensorFlowGraph) throws {
        func reject(_ reason: String) -> ModelImportError {
            ModelImportError.unsupportedNode(file: graph.file, node: node.name, op: node.op, reason: reason)
        }
        guard node.input.count >= 2 else { throw reject("expected 2 inputs, found \(node.input.count)") }
        let format = node.attr["data_format"].map { String(decoding: $0.s, as: UTF8.self) } ?? "NHWC"
        guard format == "NHWC" else { throw reject("data_format \(format) is not supported (only NHWC)") }
        let padding = node.attr["padding"].map { String(decoding: $0.s, as: UTF8.self) } ?? ""
        guard padding == "SAME" || padding == "VALID" else { throw reject("padding '\(padding)' is not SAME or VALID") }
        let strides = node.attr["strides"]?.list.i.map { Int($0) } ?? [1, 1, 1, 1]
        let dilations = node.attr["dilations"]?.list.i.map { Int($0) } ?? [1, 1, 1, 1]
        guard strides.count == 4, dilations.count == 4, strides[0] == 1, strides[3] == 1,
            (strides + dilations).allSatisfy({ $0 >= 1 })
        else {
            throw reject("strides \(strides) / dilations \(dilations) are not NHWC [1, y, x, 1]")
        }
        let constant = try graph.constant(node.input[1])
        guard constant.shape.count == 4, constant.shape.allSatisfy({ $0 > 0 }) else {
            throw reject("weights '\(constant.node)' have shape \(constant.shape), expected [kh, kw, in, out]")
        }
        isDepthwise = node.op == "DepthwiseConv2dNative"
        input = node.input[0]
        weightsNode = constant.node
        kernelHeight = constant.shape[0]
        kernelWidth = constant.shape[1]
        inChannels = constant.shape[2]
        outChannels = isDepthwise ? constant.shape[2] * constant.shape[3] : constant.shape[3]
        strideY = strides[1]
        strideX = strides[2]
        dilationY = dilations[1]
        dilationX = dilations[2]
        samePadding = padding == "SAME"
        weights = try constant.floats(file: graph.file)
    }

    /// Output [height, width] and explicit padding for an input of `height`×`width`, or nil when the kernel does not fit.
    func geometry(height: Int, width: Int) -> (height: Int, width: Int, padding: Padding)? {
        if samePadding {
            let vertical = Padding.tensorFlowSame(input: height, kernel: kernelHeight, stride: strideY, dilation: dilationY)
            let horizontal = Padding.tensorFlowSame(input: width, kernel: kernelWidth, stride: strideX, dilation: dilationX)
            let padding = Padding(
                top: vertical.before, left: horizontal.before, bottom: vertical.after, right: horizontal.after)
            return ((height + strideY - 1) / strideY, (width + strideX - 1) / strideX, padding)
        }
        let effectiveHeight = (kernelHeight - 1) * dilationY + 1
        let effectiveWidth = (kernelWidth - 1) * dilationX + 1
        guard height >= effectiveHeight, width >= effectiveWidth else { return nil }
        return ((height - effectiveHeight) / strideY + 1, (width - effectiveWidth) / strideX + 1, .uniform(0))
    }

    /// The weights in OIHW order.
    var oihwWeights: [Float] {
        isDepthwise
            ? WeightLayout.oihw(
                fromDepthwise: weights, kernelHeight: kernelHeight, kernelWidth: kernelWidth, inChannels: inChannels,
                multiplier: outChannels / inChannels)
            : WeightLayout.oihw(
                fromHWIO: weights, kernelHeight: kernelHeight, kernelWidth: kernelWidth, inChannels: inChannels,
                outChannels: outChannels)
    }

    /// Parameter name of the bias a fold creates: the weights' scope plus `/biases`.
    var biasParameterName: String {
        let scope = weightsNode.split(separator: "/").dropLast().joined(separator: "/")
        return scope.isEmpty ? "biases" : scope + "/biases"
    }
}
