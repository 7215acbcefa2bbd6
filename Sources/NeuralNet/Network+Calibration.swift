import TensorEngine

extension Network {
    /// Runs the network on `input` and returns the range of every convolution's input, by node name: what
    /// `ssdd model calibrate` merges over its images into the activation ranges of ``NetworkOptions/activationRanges``.
    ///
    /// - Throws: ``NetworkError/invalidValue(key:reason:)`` when the network fuses layers (compile it with
    ///   ``NetworkOptions/fusesLayers`` false: a fused step never writes the inputs of its inner convolutions);
    ///   ``NetworkError/inputShape(expected:actual:)``.
    public func convolutionInputRanges(_ input: Tensor) throws -> [String: ActivationRange] {
        guard !options.fusesLayers || options.referenceKernels else {
            throw NetworkError.invalidValue(
                key: "fusesLayers", reason: "calibration reads every convolution's input; compile the network without fused layers")
        }
        let shapes = try GraphShapes(graph, limits: options.limits)
        var readers: [Int: [String]] = [:]
        for (index, node) in graph.nodes.enumerated() {
            if case .convolution = node.operation, let slot = shapes.nodeInputs[index].first { readers[slot, default: []].append(node.name) }
        }
        var ranges: [String: ActivationRange] = [:]
        _ = try execute(input, timings: nil) { slot, values in
            guard let names = readers[slot], ranges[names[0]] == nil else { return }
            let count = shapes.slotShapes[slot].reduce(1, *)
            var low = Float.infinity, high = -Float.infinity
            for i in 0..<count where values[i].isFinite {
                low = min(low, values[i])
                high = max(high, values[i])
            }
            if low > high { (low, high) = (0, 0) }
            for name in names { ranges[name] = ActivationRange(low: low, high: high) }
        }
        return ranges
    }
}
