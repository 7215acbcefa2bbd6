import NeuralNet
import TensorEngine

/// Seeded initial weights for the parameters a ``NetworkGraph`` names.
///
/// Convolution weights use Xavier (Glorot) uniform, as torchvision's SSD and Caffe's SSD initialise their extra layers
/// and heads, or He (Kaiming) normal for ReLU backbones trained from scratch; biases start at 0; L2Norm scales at a given
/// constant (20 in the paper).
public enum ParameterInitializer {
    /// The weight distribution for convolutions.
    public enum Scheme: String, Sendable, CaseIterable {
        /// `U(−a, a)` with `a = √(6 / (fanIn + fanOut))`, fan = channels·kh·kw.
        case xavierUniform
        /// `N(0, 2 / fanIn)`.
        case heNormal
    }

    /// A parameter set with every tensor `graph` names, in node order; shapes are inferred from the graph.
    ///
    /// - Throws: ``TrainerError`` when the graph's shapes do not fit (see ``GraphShapes``).
    public static func initialize(
        _ graph: NetworkGraph, scheme: Scheme = .xavierUniform, l2NormScale: Float = 20, seed: UInt64
    ) throws -> ParameterSet {
        var random = SeededGenerator(seed: seed)
        var set = ParameterSet()
        let shapes = try GraphShapes(graph)
        for (index, node) in graph.nodes.enumerated() {
            switch node.operation {
            case .convolution(let conv):
                let inChannels = shapes.inputShapes(of: index)[0][2] / conv.groups
                let shape = [conv.outChannels, inChannels, conv.kernelHeight, conv.kernelWidth]
                let fanIn = Float(inChannels * conv.kernelHeight * conv.kernelWidth)
                let fanOut = Float(conv.outChannels / conv.groups * conv.kernelHeight * conv.kernelWidth)
                let count = shape.reduce(1, *)
                var values = [Float](repeating: 0, count: count)
                switch scheme {
                case .xavierUniform:
                    let a = (6 / (fanIn + fanOut)).squareRoot()
                    for i in 0..<count { values[i] = Float.random(in: -a...a, using: &random) }
                case .heNormal:
                    let std = (2 / fanIn).squareRoot()
                    for i in 0..<count { values[i] = random.nextGaussian() * std }
                }
                set[conv.weight] = Tensor(shape: shape, values: values)
                if let bias = conv.bias { set[bias] = Tensor(shape: [conv.outChannels]) }
            case .l2Normalize(let scale, _):
                set[scale] = Tensor(shape: [shapes.inputShapes(of: index)[0][2]], repeating: l2NormScale)
            case .maxPool, .add, .concatenate, .activation:
                break
            }
        }
        return set
    }
}
