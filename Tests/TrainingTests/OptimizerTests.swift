import TensorEngine
import Testing

@testable import Training

@Suite struct OptimizerTests {
    private func set(_ entries: [String: [Float]]) -> ParameterSet {
        var s = ParameterSet()
        for name in entries.keys.sorted() { s[name] = Tensor(shape: [entries[name]!.count], values: entries[name]!) }
        return s
    }

    /// One step by hand: d = g + λθ, v = d, θ ← θ − lr·v.
    @Test func oneStepByHand() {
        var parameters = set(["w": [1, -2]])
        var sgd = SGD(momentum: 0.9, weightDecay: 0.01)
        sgd.step(&parameters, gradients: set(["w": [0.5, 1]]), learningRate: 0.1)
        // d = (0.5 + 0.01, 1 − 0.02) = (0.51, 0.98)
        #expect(parameters["w"]!.values == [1 - 0.1 * Float(0.51), -2 - 0.1 * Float(0.98)])
    }

    /// Second step: v = μ·v + d with d from the updated θ.
    @Test func momentumOverTwoSteps() {
        var parameters = set(["w": [1]])
        var sgd = SGD(momentum: 0.9, weightDecay: 0)
        let g = set(["w": [2]])
        sgd.step(&parameters, gradients: g, learningRate: 0.1)  // v = 2, θ = 0.8
        sgd.step(&parameters, gradients: g, learningRate: 0.1)  // v = 0.9·2 + 2 = 3.8, θ = 0.8 − 0.38
        #expect(abs(parameters["w"]!.values[0] - (0.8 - 0.38)) < 1e-6)
        #expect(sgd.state["momentum.w"]!.values == [3.8])
    }

    /// Zero gradient: only decay acts; biases are exempt when `decayBiases` is false (Caffe), decayed by default
    /// (torchvision's reference recipe).
    @Test(arguments: [true, false])
    func weightDecay(decayBiases: Bool) {
        var parameters = set(["c.weight": [2], "c.bias": [2]])
        var sgd = SGD(momentum: 0.9, weightDecay: 5e-4, decayBiases: decayBiases)
        sgd.step(&parameters, gradients: set(["c.weight": [0], "c.bias": [0]]), learningRate: 0.5)
        #expect(parameters["c.weight"]!.values == [2 - 0.5 * 5e-4 * 2])
        #expect(parameters["c.bias"]!.values == [decayBiases ? 2 - 0.5 * 5e-4 * 2 : 2])
    }

    /// Frozen prefixes keep bit-identical values even with gradients present.
    @Test func frozenStaysExactlyEqual() {
        var parameters = set(["backbone.0.weight": [0.1, 0.2, 0.3], "head.0.weight": [1]])
        let before = parameters["backbone.0.weight"]!
        var sgd = SGD(frozen: FrozenParameters(prefixes: ["backbone."]))
        for _ in 0..<3 { sgd.step(&parameters, gradients: set(["backbone.0.weight": [1, 1, 1], "head.0.weight": [1]]), learningRate: 0.1) }
        #expect(parameters["backbone.0.weight"]! == before)
        #expect(parameters["head.0.weight"]!.values[0] < 1)
        #expect(!sgd.state.contains("momentum.backbone.0.weight"))
    }

    /// Momentum state survives a save/restore round trip.
    @Test func stateRoundTrip() throws {
        var parameters = set(["w": [1]])
        var sgd = SGD()
        sgd.step(&parameters, gradients: set(["w": [1]]), learningRate: 0.1)
        var restored = SGD()
        try restored.restore(sgd.state)
        var a = parameters, b = parameters
        sgd.step(&a, gradients: set(["w": [1]]), learningRate: 0.1)
        restored.step(&b, gradients: set(["w": [1]]), learningRate: 0.1)
        #expect(a == b)
    }

    /// Linear warm-up from `f·lr` (torchvision LinearLR), then ×γ at each milestone.
    @Test func warmUpAndMultiStep() {
        let schedule = LearningRateSchedule(baseRate: 0.1, warmupIterations: 10, warmupStartFactor: 0.001, milestones: [20, 30], gamma: 0.1)
        #expect(abs(schedule.rate(at: 0) - 0.0001) < 1e-9)
        #expect(abs(schedule.rate(at: 5) - 0.1 * (0.001 + 0.999 * 0.5)) < 1e-7)
        #expect(schedule.rate(at: 10) == 0.1)
        #expect(abs(schedule.rate(at: 19) - 0.1) < 1e-9)
        #expect(abs(schedule.rate(at: 20) - 0.01) < 1e-9)
        #expect(abs(schedule.rate(at: 35) - 0.001) < 1e-9)
    }

    /// Accumulation releases the mean every `steps` micro-batches.
    @Test func accumulationReleasesMean() {
        var accumulator = GradientAccumulator(steps: 2)
        #expect(accumulator.add(set(["w": [1, 2]])) == nil)
        #expect(accumulator.add(set(["w": [3, 6]]))?["w"]?.values == [2, 4])
        #expect(accumulator.pending == 0)
    }
}
