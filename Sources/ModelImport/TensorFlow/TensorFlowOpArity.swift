/// How many data inputs (control edges excluded) each op the importer reads takes, per TensorFlow's op definitions.
///
/// ``TensorFlowGraph`` checks every node of these ops when it parses a graph, so the importer can index a node's data
/// inputs without further checks; nodes of other ops are never read and are not checked.
enum TensorFlowOpArity {
    static let dataInputs: [String: Int] = [
        "Const": 0, "Placeholder": 0, "Identity": 1, "Conv2D": 2, "DepthwiseConv2dNative": 2, "FusedBatchNorm": 5,
        "FusedBatchNormV2": 5, "FusedBatchNormV3": 5, "BiasAdd": 2, "Relu": 1, "Relu6": 1, "Add": 2, "AddV2": 2,
        "Sqrt": 1, "RealDiv": 2, "Sub": 2, "Mul": 2, "ResizeBilinear": 2, "NonMaxSuppressionV3": 5,
        "NonMaxSuppressionV4": 5, "NonMaxSuppressionV5": 6, "Minimum": 2, "Sigmoid": 1,
    ]
}
