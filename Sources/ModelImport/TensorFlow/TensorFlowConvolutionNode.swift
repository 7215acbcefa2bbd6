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

    /// Largest stride and dilation accepted (real SSD graphs use 1 and 2); keeps every geometry computation far from
    /// overflow.
    static let maximumStride = 1024
    /// Largest dilated kernel extent, `(kernel − 1) · dilation + 1`, accepted.
    static let maximumKernelExtent = 4096

    /// Reads `node`; throws ``ModelImportError/unsupportedNode(file:node:op:reason:)`` for NCHW, explicit padding or
    /// malformed attributes. Parsing the graph checked that `node` has its two data inputs.
    init(_ node: Tensorflow_NodeDef, graph: TensorFlowGraph) throws {
        func reject(_ reason: String) -> ModelImportError {
            ModelImportError.unsupportedNode(file: graph.file, node: node.name, op: node.op, reason: reason)
        }
        let inputs = graph.dataInputs(of: node)
        guard inputs.count == 2 else { throw reject("expected 2 data inputs, found \(inputs.count)") }
        let format = node.attr["data_format"].map { String(decoding: $0.s, as: UTF8.self) } ?? "NHWC"
        guard format == "NHWC" else { throw reject("data_format \(ModelImportError.shown(format)) is not supported (only NHWC)") }
        let padding = node.attr["padding"].map { String(decoding: $0.s, as: UTF8.self) } ?? ""
        guard padding == "SAME" || padding == "VALID" else {
            throw reject("padding '\(ModelImportError.shown(padding))' is not SAME or VALID")
        }
        let strides = node.attr["strides"]?.list.i ?? [1, 1, 1, 1]
        let dilations = node.attr["dilations"]?.list.i ?? [1, 1, 1, 1]
        let limit = Int64(Self.maximumStride)
        guard strides.count == 4, dilations.count == 4, strides[0] == 1, strides[3] == 1, dilations[0] == 1,
            dilations[3] == 1, (strides + dilations).allSatisfy({ (1...limit).contains($0) })
        else {
            throw reject(
                "strides \(Self.shown(strides)) / dilations \(Self.shown(dilations)) are not NHWC [1, y, x, 1] with y and x "
                    + "in 1...\(limit)")
        }
        let constant = try graph.constant(inputs[1])
        guard constant.shape.count == 4, constant.shape.allSatisfy({ $0 > 0 }) else {
            throw reject("weights '\(ModelImportError.shown(constant.node))' have shape \(constant.shape), expected [kh, kw, in, out]")
        }
        isDepthwise = node.op == "DepthwiseConv2dNative"
        input = inputs[0]
        weightsNode = constant.node
        kernelHeight = constant.shape[0]
        kernelWidth = constant.shape[1]
        inChannels = constant.shape[2]
        // The product of all four dimensions did not overflow, so neither does this one.
        outChannels = isDepthwise ? constant.shape[2] * constant.shape[3] : constant.shape[3]
        strideY = Int(strides[1])
        strideX = Int(strides[2])
        dilationY = Int(dilations[1])
        dilationX = Int(dilations[2])
        samePadding = padding == "SAME"
        for (kernel, dilation) in [(kernelHeight, dilationY), (kernelWidth, dilationX)] {
            let (span, overflow) = (kernel - 1).multipliedReportingOverflow(by: dilation)
            guard !overflow, span < Self.maximumKernelExtent else {
                throw reject(
                    "kernel \(kernelHeight)×\(kernelWidth) with dilations \(dilationY)×\(dilationX) spans more than "
                        + "\(Self.maximumKernelExtent) pixels")
            }
        }
        weights = try constant.floats(file: graph.file, budget: graph.budget)
    }

    /// Output [height, width] and explicit padding for an input of `height`×`width`, or nil when the kernel does not fit.
    ///
    /// Strides, dilations and the dilated kernel extent are bounded when the node is read, and the network input by
    /// the importer, so none of this arithmetic can overflow.
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

    /// A list of attribute integers for a message: in full when short, else its length.
    private static func shown(_ values: [Int64]) -> String {
        values.count <= 8 ? "\(values)" : "(\(values.count) values)"
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
