import NeuralNet
import TensorEngine

/// The per-image shape `[H, W, C]` of every value in a ``NetworkGraph`` and the slot each node reads.
///
/// Slot 0 is the graph input; slot `i + 1` is the output of node `i`.
struct GraphShapes {
    /// `[H, W, C]` per slot.
    let slotShapes: [[Int]]
    /// Input slots of each node.
    let inputSlots: [[Int]]
    /// Slot of each graph output.
    let outputSlots: [Int]

    /// Infers every shape; throws ``TrainerError/invalidGraph(node:reason:)`` naming the first node that does not fit.
    init(_ graph: NetworkGraph) throws {
        guard graph.inputShape.count == 3 else {
            throw TrainerError.invalidGraph(node: graph.inputName, reason: "input shape \(graph.inputShape) is not [H, W, C]")
        }
        var slotOf: [String: Int] = [graph.inputName: 0]
        var shapes = [graph.inputShape]
        var inputs: [[Int]] = []
        for (index, node) in graph.nodes.enumerated() {
            let slots = try node.inputs.map { name in
                guard let slot = slotOf[name] else { throw TrainerError.invalidGraph(node: node.name, reason: "reads unknown value '\(name)'") }
                return slot
            }
            guard !slots.isEmpty else { throw TrainerError.invalidGraph(node: node.name, reason: "has no inputs") }
            let first = shapes[slots[0]]
            let shape: [Int]
            switch node.operation {
            case .convolution(let conv):
                let g = Self.geometry(conv, input: first)
                if let reason = g.invalidReason { throw TrainerError.invalidGraph(node: node.name, reason: reason) }
                shape = [g.outputHeight, g.outputWidth, g.outputChannels]
            case .maxPool(let pool):
                let g = Self.geometry(pool, input: first)
                if let reason = g.invalidReason { throw TrainerError.invalidGraph(node: node.name, reason: reason) }
                shape = [g.outputHeight, g.outputWidth, first[2]]
            case .add:
                guard slots.count == 2, shapes[slots[1]] == first else {
                    throw TrainerError.invalidGraph(node: node.name, reason: "add needs two inputs of equal shape, got \(slots.map { shapes[$0] })")
                }
                shape = first
            case .concatenate:
                guard slots.allSatisfy({ shapes[$0].prefix(2) == first.prefix(2) }) else {
                    throw TrainerError.invalidGraph(
                        node: node.name, reason: "concatenated inputs differ in height or width: \(slots.map { shapes[$0] })")
                }
                shape = [first[0], first[1], slots.reduce(0) { $0 + shapes[$1][2] }]
            case .l2Normalize, .activation:
                shape = first
            }
            inputs.append(slots)
            shapes.append(shape)
            slotOf[node.name] = index + 1
        }
        slotShapes = shapes
        inputSlots = inputs
        outputSlots = try graph.outputs.map { name in
            guard let slot = slotOf[name] else { throw TrainerError.invalidGraph(node: name, reason: "is a graph output but no node defines it") }
            return slot
        }
    }

    /// Input shapes of node `index`.
    func inputShapes(of index: Int) -> [[Int]] { inputSlots[index].map { slotShapes[$0] } }

    /// The engine geometry of a convolution node on an `[H, W, C]` input.
    static func geometry(_ c: Convolution, input: [Int]) -> ConvolutionGeometry {
        ConvolutionGeometry(
            inputHeight: input[0], inputWidth: input[1], inputChannels: input[2], outputChannels: c.outChannels,
            kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth, strideY: c.strideY, strideX: c.strideX,
            dilationY: c.dilationY, dilationX: c.dilationX, groups: c.groups,
            padding: Padding2D(top: c.padding.top, left: c.padding.left, bottom: c.padding.bottom, right: c.padding.right))
    }

    /// The engine geometry of a max-pool node on an `[H, W, C]` input.
    static func geometry(_ p: Pooling, input: [Int]) -> PoolingGeometry {
        PoolingGeometry(
            inputHeight: input[0], inputWidth: input[1], channels: input[2], kernelHeight: p.kernelHeight,
            kernelWidth: p.kernelWidth, strideY: p.strideY, strideX: p.strideX,
            padding: Padding2D(top: p.padding.top, left: p.padding.left, bottom: p.padding.bottom, right: p.padding.right),
            ceilMode: p.ceilMode)
    }
}

extension Activation {
    /// The engine's fused activation of the same name.
    var fused: FusedActivation {
        switch self {
        case .none: return .none
        case .relu: return .relu
        case .relu6: return .relu6
        }
    }
}
