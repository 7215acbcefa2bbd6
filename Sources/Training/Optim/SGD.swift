import TensorEngine

/// Stochastic gradient descent with momentum and L2 weight decay, as PyTorch's `torch.optim.SGD` (dampening 0, not
/// Nesterov): `d = g + λ·θ`, `v = μ·v + d` (`v = d` on a parameter's first step), `θ = θ − lr·v`.
///
/// Defaults are the SSD recipes' (momentum 0.9, weight decay 5e-4). Weight decay applies to every trained parameter,
/// biases and the L2Norm scale included, as torchvision's detection reference does (`train.py` passes all
/// `requires_grad` parameters to one group unless `--norm-weight-decay` is given); Caffe's SSD instead sets
/// `decay_mult: 0` on biases — set ``decayBiases`` to false for that.
public struct SGD: Optimizer, Sendable {
    public var momentum: Float
    public var weightDecay: Float
    /// Whether parameters named `*.bias` are decayed (torchvision: yes; Caffe: no).
    public var decayBiases: Bool
    /// Parameters never updated (they keep their exact values).
    public var frozen: FrozenParameters
    /// Momentum buffers by parameter name.
    private var velocity = ParameterSet()

    public init(momentum: Float = 0.9, weightDecay: Float = 5e-4, decayBiases: Bool = true, frozen: FrozenParameters = .none) {
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.decayBiases = decayBiases
        self.frozen = frozen
    }

    /// State names are `momentum.<parameter>`.
    public static let statePrefix = "momentum."

    public var state: ParameterSet {
        var saved = ParameterSet()
        for name in velocity.orderedNames { saved[Self.statePrefix + name] = velocity[name] }
        return saved
    }

    public mutating func restore(_ state: ParameterSet) throws {
        var restored = ParameterSet()
        for name in state.orderedNames {
            guard name.hasPrefix(Self.statePrefix) else {
                throw TrainerError.checkpoint(file: "optimizer state", reason: "'\(name)' is not an SGD momentum buffer")
            }
            restored[String(name.dropFirst(Self.statePrefix.count))] = state[name]
        }
        velocity = restored
    }

    public mutating func step(_ parameters: inout ParameterSet, gradients: ParameterSet, learningRate: Float) {
        for name in gradients.orderedNames where parameters.contains(name) && !frozen.contains(name) {
            let gradient = gradients[name]!
            precondition(
                gradient.shape == parameters[name]!.shape,
                "SGD: gradient of '\(name)' has shape \(gradient.shape), parameter \(parameters[name]!.shape)")
            let decay = decayBiases || !name.hasSuffix(".bias") ? weightDecay : 0
            let first = !velocity.contains(name)
            if first { velocity[name] = gradient }
            let mu = momentum
            parameters.withMutableValues(of: name) { theta in
                gradient.withUnsafeBufferPointer { g in
                    velocity.withMutableValues(of: name) { v in
                        for i in 0..<theta.count {
                            let d = g[i] + decay * theta[i]
                            v[i] = first ? d : mu * v[i] + d
                            theta[i] -= learningRate * v[i]
                        }
                    }
                }
            }
        }
    }
}
