import TensorEngine

extension CompiledStep {
    /// Runs the step on `images` images: `values[i][s]` is image `i`'s buffer of slot `s`, which holds `slotSizes[s]`
    /// floats. A pointwise convolution whose input and output images lie one after another runs as one kernel call over
    /// all of them (``TensorEngine/Convolution2D/convolvesImagesTogether``: its weights are swept once, and the small
    /// maps get enough rows to split across threads); every other step runs ``run(values:scratch:pool:)`` once per image.
    /// Either way each image's values are bitwise those of a single-image pass.
    func run(
        images: Int, values: [[UnsafeMutablePointer<Float>]], slotSizes: [Int], scratch: UnsafeMutablePointer<Float>,
        pool: ComputePool
    ) {
        if images > 1, case .convolution(let conv) = work, conv.convolvesImagesTogether,
            Self.isContiguous(values, slot: inputs[0], size: slotSizes[inputs[0]]),
            Self.isContiguous(values, slot: output, size: slotSizes[output])
        {
            conv.run(images: images, input: values[0][inputs[0]], output: values[0][output], scratch: scratch, pool: pool)
            return
        }
        for image in 0..<images {
            run(values: values[image], scratch: scratch, pool: pool)
        }
    }

    /// Whether every image's buffer of `slot` directly follows the previous image's (the network input, which callers
    /// pass as separate tensors, usually does not).
    private static func isContiguous(_ values: [[UnsafeMutablePointer<Float>]], slot: Int, size: Int) -> Bool {
        values.indices.dropFirst().allSatisfy { values[$0][slot] == values[$0 - 1][slot] + size }
    }
}
