import NeuralNet
import TensorEngine

/// One graph node with its parameters read for the current step, ready to run forward and backward on any image.
enum PreparedNode {
    case convolution(ConvolutionGradient, weight: String, bias: String?)
    case maxPool(PoolingGeometry)
    case add(FusedActivation)
    case concatenate
    case l2Normalize(scale: [Float], name: String, epsilon: Float)
    case activation(FusedActivation)

    /// Reads `node`'s parameters from `parameters` and checks their shapes.
    init(_ node: NetworkNode, inputShapes: [[Int]], parameters: ParameterSet) throws {
        switch node.operation {
        case .convolution(let conv):
            let geometry = GraphShapes.geometry(conv, input: inputShapes[0])
            let weights = try Self.values(conv.weight, expected: geometry.weightShape, in: parameters)
            let bias = try conv.bias.map { try Self.values($0, expected: [conv.outChannels], in: parameters) }
            self = .convolution(
                ConvolutionGradient(geometry: geometry, activation: conv.activation.fused, weights: weights, bias: bias),
                weight: conv.weight, bias: conv.bias)
        case .maxPool(let pooling):
            self = .maxPool(GraphShapes.geometry(pooling, input: inputShapes[0]))
        case .add(let activation):
            self = .add(activation.fused)
        case .concatenate:
            self = .concatenate
        case .l2Normalize(let scale, let epsilon):
            self = .l2Normalize(
                scale: try Self.values(scale, expected: [inputShapes[0][2]], in: parameters), name: scale, epsilon: epsilon)
        case .activation(let activation):
            self = .activation(activation.fused)
        }
    }

    /// Names of the parameters this node reads.
    var parameterNames: [String] {
        switch self {
        case .convolution(_, let weight, let bias): return [weight] + (bias.map { [$0] } ?? [])
        case .l2Normalize(_, let name, _): return [name]
        case .maxPool, .add, .concatenate, .activation: return []
        }
    }

    private static func values(_ name: String, expected: [Int], in parameters: ParameterSet) throws -> [Float] {
        guard let tensor = parameters[name] else { throw NetworkError.missingParameter(name) }
        guard tensor.shape == expected else { throw TrainerError.shapeMismatch("parameter '\(name)'", expected: expected, actual: tensor.shape) }
        return tensor.values
    }
}
