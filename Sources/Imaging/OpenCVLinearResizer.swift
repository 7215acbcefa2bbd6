/// OpenCV 4.x `cv2.resize(src, (w, h), interpolation=INTER_LINEAR)` on 8-bit, 3-channel pixels, bit for bit.
///
/// What OpenCV does (modules/imgproc/src/resize.cpp, `resize` + `resizeGeneric_` with `HResizeLinear`,
/// `VResizeLinear` and `VResizeLinearVec_32s8u`), and this reproduces:
/// - Same size: a copy. Exactly half the size in both directions: INTER_LINEAR becomes the fast area average
///   `(a + b + c + d + 2) >> 2` of each 2×2 block.
/// - Otherwise separable, half-pixel centres: `f = float((d + 0.5)·(1 / (out/in)) − 0.5)`, `s = floor(f)`,
///   weights `round(2048·(1 − (f − s)))` and `round(2048·(f − s))` (11 fractional bits, ties to even).
///   Horizontally a position left of the first or right of the last pixel takes that pixel with weight 2048;
///   vertically the weights are kept and the two source rows are clamped into the image.
/// - Horizontal pass: exact integer sums `h = p0·a0 + p1·a1` (up to 255·2048).
/// - Vertical pass as the SIMD kernel rounds it (OpenCV 4.14 on x86-64 uses it for every element of a row):
///   `((h0 >> 4)·b0 >> 16) + ((h1 >> 4)·b1 >> 16)`, then `(v + 2) >> 2` saturated to 0…255 — not the plain
///   `(h0·b0 + h1·b1 + 2²¹) >> 22`, which differs by one in about 1% of the pixels.
///
/// Verified against `cv2.resize` (opencv-python-headless 4.14) on darknet's photos and on odd sizes, down and up, by
/// tools/opencv_resize_golden.py. Channels are independent, so the same function serves RGB and BGR pixels.
public enum OpenCVLinearResizer {
    /// One output coordinate: the two source indices and their 11-bit weights.
    struct Tap {
        var first: Int
        var second: Int
        var firstWeight: Int32
        var secondWeight: Int32
    }

    /// The taps of one axis. `clampWeights` is OpenCV's horizontal rule (positions outside the image take the edge
    /// pixel with full weight); the vertical rule keeps the weights and clamps only the rows.
    static func taps(input: Int, output: Int, clampWeights: Bool) -> [Tap] {
        let scale = 1.0 / (Double(output) / Double(input))
        return (0..<output).map { d in
            var position = Float((Double(d) + 0.5) * scale - 0.5)
            var start = Int(position.rounded(.down))
            position -= Float(start)
            if clampWeights {
                if start < 0 {
                    position = 0
                    start = 0
                }
                if start >= input - 1 {
                    position = 0
                    start = input - 1
                }
            }
            let first = Int32(((1 - position) * 2048).rounded(.toNearestOrEven))
            let second = Int32((position * 2048).rounded(.toNearestOrEven))
            return Tap(
                first: min(max(start, 0), input - 1), second: min(max(start + 1, 0), input - 1), firstWeight: first, secondWeight: second)
        }
    }

    /// `image` resized to `width × height` as `cv2.resize(INTER_LINEAR)` does it.
    ///
    /// - Precondition: `width` and `height` are positive.
    public static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        precondition(width > 0 && height > 0, "OpenCVLinearResizer: output size must be positive")
        if width == image.width && height == image.height { return image }
        if image.width == 2 * width && image.height == 2 * height { return halve(image) }
        let columns = taps(input: image.width, output: width, clampWeights: true)
        let rows = taps(input: image.height, output: height, clampWeights: false)
        let rowLength = width * 3
        var pixels = [UInt8](repeating: 0, count: height * rowLength)
        image.pixels.withUnsafeBufferPointer { src in
            // Horizontal pass of every source row a destination row needs, computed once per source row.
            var horizontal = [Int32](repeating: 0, count: image.height * rowLength)
            var needed = [Bool](repeating: false, count: image.height)
            for tap in rows {
                needed[tap.first] = true
                needed[tap.second] = true
            }
            horizontal.withUnsafeMutableBufferPointer { h in
                for y in 0..<image.height where needed[y] {
                    let source = y * image.width * 3
                    let target = y * rowLength
                    for (x, tap) in columns.enumerated() {
                        let a = source + tap.first * 3
                        let b = source + tap.second * 3
                        for c in 0..<3 {
                            h[target + x * 3 + c] = Int32(src[a + c]) * tap.firstWeight + Int32(src[b + c]) * tap.secondWeight
                        }
                    }
                }
                pixels.withUnsafeMutableBufferPointer { out in
                    for (y, tap) in rows.enumerated() {
                        let top = tap.first * rowLength
                        let bottom = tap.second * rowLength
                        for i in 0..<rowLength {
                            let upper = ((h[top + i] >> 4) * tap.firstWeight) >> 16
                            let lower = ((h[bottom + i] >> 4) * tap.secondWeight) >> 16
                            out[y * rowLength + i] = UInt8(clamping: (upper + lower + 2) >> 2)
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// OpenCV's fast area average for an exact 2× reduction: each output value is the rounded mean of a 2×2 block.
    static func halve(_ image: RGBImage) -> RGBImage {
        let width = image.width / 2
        let height = image.height / 2
        let stride = image.width * 3
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        image.pixels.withUnsafeBufferPointer { src in
            for y in 0..<height {
                for x in 0..<width {
                    let a = 2 * y * stride + 2 * x * 3
                    for c in 0..<3 {
                        let sum = Int(src[a + c]) + Int(src[a + 3 + c]) + Int(src[a + stride + c]) + Int(src[a + stride + 3 + c])
                        pixels[(y * width + x) * 3 + c] = UInt8((sum + 2) >> 2)
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
