import TensorEngine

extension KernelBenchmark {
    /// The benchmarks: SSDLite's GEMM tile (1×1 expansion and projection), depthwise and fused-block shapes (fp32 and
    /// INT8), and SSD300's Winograd layers and the same layers in INT8.
    static var suite: [KernelBenchmark] {
        [
            convolutionBenchmark(
                "gemm-tile/1x1-19x19-64to384", iterations: 200,
                ConvolutionGeometry(inputHeight: 19, inputWidth: 19, inputChannels: 64, outputChannels: 384, kernelHeight: 1, kernelWidth: 1),
                algorithm: .tiledGEMM),
            convolutionBenchmark(
                "gemm-tile/1x1-75x75-144to24", iterations: 200,
                ConvolutionGeometry(inputHeight: 75, inputWidth: 75, inputChannels: 144, outputChannels: 24, kernelHeight: 1, kernelWidth: 1),
                activation: .none, algorithm: .tiledGEMM),
            convolutionBenchmark(
                "depthwise/3x3-75x75x144-s1", iterations: 200,
                ConvolutionGeometry(
                    inputHeight: 75, inputWidth: 75, inputChannels: 144, outputChannels: 144, kernelHeight: 3, kernelWidth: 3, groups: 144,
                    padding: .uniform(1)),
                algorithm: .depthwise3x3),
            // A band of the fused 75×75 block (12 rows, in L2): the depthwise kernel where its input is cached.
            convolutionBenchmark(
                "depthwise/3x3-12x75x144-s1", iterations: 1000,
                ConvolutionGeometry(
                    inputHeight: 12, inputWidth: 75, inputChannels: 144, outputChannels: 144, kernelHeight: 3, kernelWidth: 3, groups: 144,
                    padding: .uniform(1)),
                algorithm: .depthwise3x3),
            // The three kernels of one band of SSDLite's 150×150 block (expanded_conv_1): 8 expanded rows, 4 depthwise rows at
            // stride 2 (no padding, so every pixel is interior as inside the map), their projection.
            convolutionBenchmark(
                "gemm-tile/1x1-8x150-16to96", iterations: 1000,
                ConvolutionGeometry(inputHeight: 8, inputWidth: 150, inputChannels: 16, outputChannels: 96, kernelHeight: 1, kernelWidth: 1),
                algorithm: .tiledGEMM),
            convolutionBenchmark(
                "depthwise/3x3-9x151x96-s2", iterations: 1000,
                ConvolutionGeometry(
                    inputHeight: 9, inputWidth: 151, inputChannels: 96, outputChannels: 96, kernelHeight: 3, kernelWidth: 3, strideY: 2,
                    strideX: 2, groups: 96),
                algorithm: .depthwise3x3),
            convolutionBenchmark(
                "gemm-tile/1x1-4x75-96to24", iterations: 1000,
                ConvolutionGeometry(inputHeight: 4, inputWidth: 75, inputChannels: 96, outputChannels: 24, kernelHeight: 1, kernelWidth: 1),
                activation: .none, algorithm: .tiledGEMM),
            convolutionBenchmark(
                "depthwise/3x3-19x19x576-s2", iterations: 400,
                ConvolutionGeometry(
                    inputHeight: 19, inputWidth: 19, inputChannels: 576, outputChannels: 576, kernelHeight: 3, kernelWidth: 3, strideY: 2,
                    strideX: 2, groups: 576, padding: .uniform(1)),
                algorithm: .depthwise3x3),
            blockBenchmark("fused-block/75x75-24x6-s1", iterations: 100, size: 75, channels: 24, expansion: 6, stride: 1, outputChannels: 24),
            blockBenchmark("fused-block/19x19-64x6-s1", iterations: 200, size: 19, channels: 64, expansion: 6, stride: 1, outputChannels: 64),
            blockBenchmark("fused-block/10x10-160x6-s1", iterations: 200, size: 10, channels: 160, expansion: 6, stride: 1, outputChannels: 160),
            blockBenchmark(
                "unfused-block/75x75-24x6-s1", iterations: 100, size: 75, channels: 24, expansion: 6, stride: 1, outputChannels: 24, fused: false),
            blockBenchmark(
                "unfused-block/19x19-64x6-s1", iterations: 200, size: 19, channels: 64, expansion: 6, stride: 1, outputChannels: 64, fused: false),
            blockBenchmark(
                "unfused-block/10x10-160x6-s1", iterations: 200, size: 10, channels: 160, expansion: 6, stride: 1, outputChannels: 160,
                fused: false),
            blockBenchmark(
                "int8-block/75x75-24x6-s1", iterations: 100, size: 75, channels: 24, expansion: 6, stride: 1, outputChannels: 24, int8: true),
            blockBenchmark(
                "int8-block/19x19-64x6-s1", iterations: 200, size: 19, channels: 64, expansion: 6, stride: 1, outputChannels: 64, int8: true),
            blockBenchmark(
                "int8-block/10x10-160x6-s1", iterations: 200, size: 10, channels: 160, expansion: 6, stride: 1, outputChannels: 160,
                int8: true),
            convolutionBenchmark(
                "winograd/3x3-38x38-512to512", iterations: 10,
                ConvolutionGeometry(
                    inputHeight: 38, inputWidth: 38, inputChannels: 512, outputChannels: 512, kernelHeight: 3, kernelWidth: 3,
                    padding: .uniform(1)),
                activation: .relu, algorithm: .winograd),
            convolutionBenchmark(
                "winograd/3x3-75x75-256to256", iterations: 10,
                ConvolutionGeometry(
                    inputHeight: 75, inputWidth: 75, inputChannels: 256, outputChannels: 256, kernelHeight: 3, kernelWidth: 3,
                    padding: .uniform(1)),
                activation: .relu, algorithm: .winograd),
            // The same two SSD300 layers in INT8 (``Int8WindowConvolution``: the input quantized once, im2col rows of bytes).
            convolutionBenchmark(
                "int8-window/3x3-38x38-512to512", iterations: 10,
                ConvolutionGeometry(
                    inputHeight: 38, inputWidth: 38, inputChannels: 512, outputChannels: 512, kernelHeight: 3, kernelWidth: 3,
                    padding: .uniform(1)),
                activation: .relu, int8: true),
            convolutionBenchmark(
                "int8-window/3x3-75x75-256to256", iterations: 10,
                ConvolutionGeometry(
                    inputHeight: 75, inputWidth: 75, inputChannels: 256, outputChannels: 256, kernelHeight: 3, kernelWidth: 3,
                    padding: .uniform(1)),
                activation: .relu, int8: true),
        ]
    }
}
