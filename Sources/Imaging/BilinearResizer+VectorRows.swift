import PixelKernels

extension BilinearResizer {
    /// The horizontal and vertical passes on AVX-512 (VBMI) in `PixelKernels`: sixteen output values at a time, their
    /// source bytes picked from one or two 64-byte windows, with the portable path's operations in its order (the same
    /// bits; `BilinearResizerTests` compares both).
    struct VectorRows {
        /// Whether this CPU runs them.
        static let isSupported = ssdd_pixel_kernels_avx512_supported() != 0

        /// Per output value of a row: the byte offsets of its two taps and the weight of the right one.
        private let left: [Int32], right: [Int32], weight: [Float]
        private let chunks: [ssdd_bilinear_chunk]

        init(_ xs: AxisTaps) {
            let values = xs.lower.count * 3
            var left = [Int32](), right = [Int32](), weight = [Float]()
            left.reserveCapacity(values)
            right.reserveCapacity(values)
            weight.reserveCapacity(values)
            for x in xs.lower.indices {
                for c in 0..<3 {
                    left.append(Int32(xs.lower[x] * 3 + c))
                    right.append(Int32(xs.upper[x] * 3 + c))
                    weight.append(xs.weight[x])
                }
            }
            var chunks = [ssdd_bilinear_chunk](repeating: ssdd_bilinear_chunk(), count: values / 16)
            chunks.withUnsafeMutableBufferPointer { ssdd_bilinear_plan(left, right, values, $0.baseAddress) }
            (self.left, self.right, self.weight, self.chunks) = (left, right, weight, chunks)
        }

        /// The horizontal pass of one source row (`line`) into `h`, mapping the source values by `affine` first when
        /// given (per output value, 3-periodic).
        func horizontal(
            _ line: UnsafePointer<UInt8>, affine: (scale: UnsafePointer<Float>, offset: UnsafePointer<Float>)?, legacy: Bool,
            into h: UnsafeMutablePointer<Float>
        ) {
            ssdd_bilinear_horizontal(
                line, chunks, left, right, weight, affine?.scale, affine?.offset, weight.count, legacy ? 1 : 0, h)
        }

        /// One output row from two horizontally interpolated rows, then `affine` when given.
        static func vertical(
            _ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>, _ wy: Float, legacy: Bool,
            affine: (scale: UnsafePointer<Float>, offset: UnsafePointer<Float>)?, count: Int, into out: UnsafeMutablePointer<Float>
        ) {
            ssdd_bilinear_vertical(top, bottom, wy, affine?.scale, affine?.offset, count, legacy ? 1 : 0, out)
        }
    }
}
