import NeuralNet

/// Checks that every parameter a ``NetworkGraph`` names exists with a shape that fits its node.
enum GraphParameterCheck {
    /// Throws ``ModelStoreError/missingTensor(file:tensor:)`` or ``ModelStoreError/parameterShape(file:tensor:node:expected:actual:)``;
    /// `shape` returns a tensor's shape or nil when absent.
    static func validate(graph: NetworkGraph, file: String, shape: (String) -> [Int]?) throws {
        for node in graph.nodes {
            for requirement in requirements(of: node) {
                guard let actual = shape(requirement.tensor) else {
                    throw ModelStoreError.missingTensor(file: file, tensor: requirement.tensor)
                }
                guard actual.count == requirement.shape.count,
                    zip(actual, requirement.shape).allSatisfy({ expected in expected.1.map { $0 == expected.0 } ?? true })
                else {
                    let expected = "[" + requirement.shape.map { $0.map(String.init) ?? "*" }.joined(separator: ", ") + "]"
                    throw ModelStoreError.parameterShape(
                        file: file, tensor: requirement.tensor, node: node.name, expected: expected, actual: actual)
                }
            }
        }
    }

    /// A tensor a node reads, with the dimensions it must have (nil = any).
    private struct Requirement {
        var tensor: String
        var shape: [Int?]
    }

    private static func requirements(of node: NetworkNode) -> [Requirement] {
        switch node.operation {
        case .convolution(let conv):
            var list = [
                Requirement(tensor: conv.weight, shape: [conv.outChannels, nil, conv.kernelHeight, conv.kernelWidth])
            ]
            if let bias = conv.bias {
                list.append(Requirement(tensor: bias, shape: [conv.outChannels]))
            }
            return list
        case .l2Normalize(let scale, _):
            return [Requirement(tensor: scale, shape: [nil])]
        case .maxPool, .add, .concatenate, .activation:
            return []
        }
    }
}
