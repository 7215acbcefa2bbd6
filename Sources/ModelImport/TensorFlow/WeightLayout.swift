/// Rearranges TensorFlow convolution weights into the OIHW layout of ``NeuralNet/Convolution``.
enum WeightLayout {
    /// `Conv2D` weights [kh, kw, in, out] (HWIO) → [out, in, kh, kw].
    static func oihw(
        fromHWIO values: [Float], kernelHeight: Int, kernelWidth: Int, inChannels: Int, outChannels: Int
    )
        -> [Float]
    {
        var result = [Float](repeating: 0, count: values.count)
        for y in 0..<kernelHeight {
            for x in 0..<kernelWidth {
                for input in 0..<inChannels {
                    let source = ((y * kernelWidth + x) * inChannels + input) * outChannels
                    for output in 0..<outChannels {
                        result[((output * inChannels + input) * kernelHeight + y) * kernelWidth + x] = values[source + output]
                    }
                }
            }
        }
        return result
    }

    /// `DepthwiseConv2dNative` weights [kh, kw, in, multiplier] → [in·multiplier, 1, kh, kw]; output channel
    /// `c·multiplier + m` reads input channel `c`, as TensorFlow orders them.
    static func oihw(
        fromDepthwise values: [Float], kernelHeight: Int, kernelWidth: Int, inChannels: Int, multiplier: Int
    ) -> [Float] {
        var result = [Float](repeating: 0, count: values.count)
        for y in 0..<kernelHeight {
            for x in 0..<kernelWidth {
                for input in 0..<inChannels {
                    for m in 0..<multiplier {
                        let output = input * multiplier + m
                        result[(output * kernelHeight + y) * kernelWidth + x] =
                            values[((y * kernelWidth + x) * inChannels + input) * multiplier + m]
                    }
                }
            }
        }
        return result
    }
}
