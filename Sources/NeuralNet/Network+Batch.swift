import Synchronization
import TensorEngine

extension Network {
    /// Runs the network on several inputs in one pass and returns each one's outputs, as ``forward(_:)`` would: bitwise
    /// the same values, because every kernel computes an image's outputs with the same sums in the same order whether
    /// it runs alone or with others. Where it pays, a step runs once over all the images (the pointwise convolutions:
    /// ``CompiledStep/run(images:values:slotSizes:scratch:pool:)``); elsewhere it loops over them inside the step, so
    /// the weights of one layer are used for every image while they are still in cache.
    ///
    /// - Parameter inputs: 1 … ``NetworkOptions/maxBatch`` tensors of the graph's input shape (`[H, W, C]` or
    ///   `[1, H, W, C]`).
    /// - Throws: ``NetworkError/invalidValue(key:reason:)`` (key `batch`) for an empty batch or one larger than
    ///   ``NetworkOptions/maxBatch``; ``NetworkError/inputShape(expected:actual:)``.
    public func forward(batch inputs: [Tensor]) throws -> [[Tensor]] {
        guard (1...options.maxBatch).contains(inputs.count) else {
            throw NetworkError.invalidValue(
                key: "batch", reason: "has \(inputs.count) images; this network runs 1 to \(options.maxBatch) (maxBatch)")
        }
        let expected = graph.inputShape
        for input in inputs where input.shape != expected && input.shape != [1] + expected {
            throw NetworkError.inputShape(expected: expected, actual: input.shape)
        }
        let (exchanged, _) = busy.compareExchange(expected: false, desired: true, ordering: .acquiring)
        precondition(exchanged, "Network.forward: called concurrently; a Network must be used from one thread at a time")
        defer { busy.store(false, ordering: .releasing) }
        // As in `forward`: the engine splits its GEMMs itself, OpenBLAS runs one thread.
        BLAS.setThreadCount(1)
        // Steps never write slot 0, so the callers' tensors are only read. The storages stay alive through `inputs`.
        let inputPointers = inputs.map { $0.withUnsafeBufferPointer { UnsafeMutablePointer(mutating: $0.baseAddress!) } }
        return withExtendedLifetime(inputs) {
            let values = inputPointers.indices.map { image in
                plan.bufferOfSlot.enumerated().map { slot, index in
                    index.map { plan.buffers[$0].pointer + image * slotSizes[slot] } ?? inputPointers[image]
                }
            }
            for step in steps {
                step.run(images: inputs.count, values: values, slotSizes: slotSizes, scratch: scratch.pointer, pool: pool)
            }
            return values.map { imageValues in
                zip(outputSlots, outputShapes).map { slot, shape in
                    Tensor(
                        shape: shape,
                        storage: TensorStorage(copying: UnsafeBufferPointer(start: imageValues[slot], count: slotSizes[slot])))
                }
            }
        }
    }
}

extension Network {
    /// Steps that ``forward(batch:)`` runs once over all the images rather than once per image (tests and profiles).
    var stepsRunningImagesTogether: Int {
        steps.filter { step in
            guard case .convolution(let conv) = step.work else { return false }
            return conv.convolvesImagesTogether && step.inputs[0] != 0
        }.count
    }
}
