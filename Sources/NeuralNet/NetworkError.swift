/// Errors raised while compiling or running a ``NetworkGraph``. Each names the node or parameter at fault.
public enum NetworkError: Error, Equatable, CustomStringConvertible {
    /// A parameter the graph names is not in the source.
    case missingParameter(String)
    /// A parameter exists but its shape is not what the node needs.
    case parameterShape(name: String, expected: [Int], actual: [Int])
    /// A node refers to a value no earlier node (or the input) defines.
    case unknownInput(node: String, input: String)
    /// A node's inputs do not fit its operation (channel counts, shapes, arity).
    case invalidNode(node: String, reason: String)
    /// The tensor given to `forward` does not have the graph's input shape.
    case inputShape(expected: [Int], actual: [Int])
    /// A value of the graph is out of its range (``GraphLimits``): `key` locates it in the graph's JSON, e.g.
    /// `nodes['conv1'].padding.top`, `inputShape`.
    case invalidValue(key: String, reason: String)
    /// Compiling the network would need more memory than ``NetworkOptions/memoryLimit`` (checked before allocating).
    case exceedsMemoryLimit(footprint: NetworkFootprint, limit: Int)

    public var description: String {
        switch self {
        case .missingParameter(let name):
            return "parameter '\(name)' is missing from the model"
        case .parameterShape(let name, let expected, let actual):
            return "parameter '\(name)' has shape \(actual), expected \(expected)"
        case .unknownInput(let node, let input):
            return "node '\(node)' reads '\(input)', which no earlier node defines"
        case .invalidNode(let node, let reason):
            return "node '\(node)': \(reason)"
        case .inputShape(let expected, let actual):
            return "network input has shape \(actual), expected \(expected)"
        case .invalidValue(let key, let reason):
            return "\(key) \(reason)"
        case .exceedsMemoryLimit(let footprint, let limit):
            return "the network needs \(footprint), more than the limit of \(NetworkFootprint.format(bytes: limit))"
        }
    }
}
