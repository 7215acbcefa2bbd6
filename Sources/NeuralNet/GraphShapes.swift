import TensorEngine

/// The shapes of every value of a ``NetworkGraph``, inferred without weights and without allocating tensors.
///
/// Inference checks every value the graph states against ``GraphLimits`` and every window geometry with checked
/// arithmetic (``ConvolutionGeometry/invalidReason``), so a graph that passes can be compiled without a trap, and its
/// memory (``NetworkFootprint``) can be computed before anything is allocated. The compiler builds on the same result.
struct GraphShapes {
    /// The window of a node, where it has one.
    enum Window {
        case convolution(ConvolutionGeometry)
        case maxPool(PoolingGeometry)
        case none
    }

    /// `[H, W, C]` of each value slot: slot 0 is the input, slot `i + 1` the output of node `i`.
    private(set) var slotShapes: [[Int]]
    /// Value slots each node reads.
    private(set) var nodeInputs: [[Int]] = []
    /// Window geometry of each node.
    private(set) var windows: [Window] = []
    /// Value slots of the graph outputs.
    private(set) var outputSlots: [Int] = []
    /// Multiply-accumulates of all convolutions of one forward pass.
    private(set) var multiplyAccumulateCount = 0

    init(_ graph: NetworkGraph, limits: GraphLimits) throws(NetworkError) {
        let input = graph.inputShape
        guard input.count == 3, (1...limits.maximumSpatialSize).contains(input[0]),
            (1...limits.maximumSpatialSize).contains(input[1]), (1...limits.maximumChannels).contains(input[2])
        else {
            throw .invalidValue(
                key: "inputShape",
                reason: "must be [H, W, C] with H and W in 1...\(limits.maximumSpatialSize) and C in "
                    + "1...\(limits.maximumChannels), got \(input)")
        }
        guard (1...limits.maximumNodes).contains(graph.nodes.count) else {
            throw .invalidValue(key: "nodes", reason: "must hold 1...\(limits.maximumNodes) nodes, got \(graph.nodes.count)")
        }
        slotShapes = [input]
        var slots: [String: Int] = [graph.inputName: 0]
        for node in graph.nodes {
            if slots[node.name] != nil {
                throw .invalidNode(node: node.name, reason: "the name is already defined by an earlier node")
            }
            var inputSlots: [Int] = []
            for name in node.inputs {
                guard let slot = slots[name] else { throw .unknownInput(node: node.name, input: name) }
                inputSlots.append(slot)
            }
            let (window, shape) = try Self.infer(node, inputShapes: inputSlots.map { slotShapes[$0] }, limits: limits)
            if case .convolution(let g) = window {
                guard let sum = CheckedSize.sum(multiplyAccumulateCount, g.multiplyAccumulateCount) else {
                    throw .invalidValue(key: "nodes", reason: "need more multiply-accumulates than an Int counts")
                }
                multiplyAccumulateCount = sum
            }
            slots[node.name] = slotShapes.count
            slotShapes.append(shape)
            nodeInputs.append(inputSlots)
            windows.append(window)
        }
        for name in graph.outputs {
            guard let slot = slots[name] else { throw .unknownInput(node: "outputs", input: name) }
            outputSlots.append(slot)
        }
    }

    /// Key of a node attribute in the graph's JSON.
    static func key(_ node: NetworkNode, _ attribute: String) -> String { "nodes['\(node.name)'].\(attribute)" }

    /// Throws unless `value` lies in `range`.
    private static func check(_ value: Int, in range: ClosedRange<Int>, _ node: NetworkNode, _ attribute: String) throws(NetworkError) {
        guard range.contains(value) else {
            throw .invalidValue(key: key(node, attribute), reason: "must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
    }

    private static func check(_ padding: Padding, _ node: NetworkNode, limits: GraphLimits) throws(NetworkError) {
        let sides = [("top", padding.top), ("left", padding.left), ("bottom", padding.bottom), ("right", padding.right)]
        for (side, value) in sides { try check(value, in: 0...limits.maximumPadding, node, "padding.\(side)") }
    }

    /// Checks a node's attributes and infers its output shape.
    private static func infer(_ node: NetworkNode, inputShapes: [[Int]], limits: GraphLimits) throws(NetworkError) -> (Window, [Int]) {
        func arity(_ n: Int) throws(NetworkError) {
            if inputShapes.count != n {
                throw .invalidNode(node: node.name, reason: "takes \(n) input(s), got \(inputShapes.count)")
            }
        }
        let shape: [Int]
        let window: Window
        switch node.operation {
        case .convolution(let c):
            try arity(1)
            try check(c.outChannels, in: 1...limits.maximumChannels, node, "outChannels")
            try check(c.kernelHeight, in: 1...limits.maximumKernelSize, node, "kernelHeight")
            try check(c.kernelWidth, in: 1...limits.maximumKernelSize, node, "kernelWidth")
            try check(c.strideY, in: 1...limits.maximumStride, node, "strideY")
            try check(c.strideX, in: 1...limits.maximumStride, node, "strideX")
            try check(c.dilationY, in: 1...limits.maximumDilation, node, "dilationY")
            try check(c.dilationX, in: 1...limits.maximumDilation, node, "dilationX")
            try check(c.groups, in: 1...limits.maximumChannels, node, "groups")
            try check(c.padding, node, limits: limits)
            let s = inputShapes[0]
            let g = ConvolutionGeometry(
                inputHeight: s[0], inputWidth: s[1], inputChannels: s[2], outputChannels: c.outChannels,
                kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth, strideY: c.strideY, strideX: c.strideX,
                dilationY: c.dilationY, dilationX: c.dilationX, groups: c.groups, padding: Padding2D(c.padding))
            if let reason = g.invalidReason { throw .invalidNode(node: node.name, reason: "convolution on \(s): \(reason)") }
            window = .convolution(g)
            shape = [g.outputHeight, g.outputWidth, c.outChannels]
        case .maxPool(let p):
            try arity(1)
            try check(p.kernelHeight, in: 1...limits.maximumKernelSize, node, "kernelHeight")
            try check(p.kernelWidth, in: 1...limits.maximumKernelSize, node, "kernelWidth")
            try check(p.strideY, in: 1...limits.maximumStride, node, "strideY")
            try check(p.strideX, in: 1...limits.maximumStride, node, "strideX")
            try check(p.padding, node, limits: limits)
            let s = inputShapes[0]
            let g = PoolingGeometry(
                inputHeight: s[0], inputWidth: s[1], channels: s[2], kernelHeight: p.kernelHeight, kernelWidth: p.kernelWidth,
                strideY: p.strideY, strideX: p.strideX, padding: Padding2D(p.padding), ceilMode: p.ceilMode)
            if let reason = g.invalidReason { throw .invalidNode(node: node.name, reason: "max pool: \(reason)") }
            window = .maxPool(g)
            shape = [g.outputHeight, g.outputWidth, s[2]]
        case .add:
            try arity(2)
            if inputShapes[0] != inputShapes[1] {
                throw .invalidNode(node: node.name, reason: "add of shapes \(inputShapes[0]) and \(inputShapes[1])")
            }
            window = .none
            shape = inputShapes[0]
        case .concatenate:
            guard let first = inputShapes.first else {
                throw .invalidNode(node: node.name, reason: "concatenate needs at least one input")
            }
            if inputShapes.contains(where: { $0[0] != first[0] || $0[1] != first[1] }) {
                throw .invalidNode(node: node.name, reason: "concatenate of different spatial sizes \(inputShapes)")
            }
            guard let channels = CheckedSize.sum(inputShapes.map { $0[2] }), channels <= limits.maximumChannels else {
                throw .invalidNode(
                    node: node.name, reason: "concatenate of \(inputShapes.count) inputs has more than \(limits.maximumChannels) channels")
            }
            window = .none
            shape = [first[0], first[1], channels]
        case .l2Normalize(_, let epsilon):
            try arity(1)
            guard epsilon.isFinite, (0...1).contains(epsilon) else {
                throw .invalidValue(key: key(node, "epsilon"), reason: "must be finite and in 0...1, got \(epsilon)")
            }
            window = .none
            shape = inputShapes[0]
        case .activation:
            try arity(1)
            window = .none
            shape = inputShapes[0]
        }
        guard shape[0] <= limits.maximumSpatialSize, shape[1] <= limits.maximumSpatialSize else {
            throw .invalidNode(node: node.name, reason: "output \(shape) is larger than \(limits.maximumSpatialSize) pixels on a side")
        }
        return (window, shape)
    }
}
