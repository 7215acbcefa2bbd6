/// Exact bilinear resizing of RGB images to float tensors, in the two conventions reference detectors use.
///
/// Output is HWC float32 (`height × width × 3`), optionally mapped per channel by `y = x·scale[c] + offset[c]`
/// before or after interpolation (torchvision normalises first; TensorFlow's SSD graphs resize first).
public enum BilinearResizer {
    /// How a destination pixel maps to source coordinates.
    public enum Convention: String, Sendable, CaseIterable {
        /// PyTorch `F.interpolate(mode="bilinear", align_corners=False)`: src = (dst+0.5)·in/out − 0.5, clamped at 0.
        case halfPixel
        /// TensorFlow 1 `ResizeBilinear(align_corners=False)` without half-pixel centres: src = dst·in/out.
        case tensorFlowLegacy
        /// OpenCV `cv2.resize(INTER_LINEAR)` on the 8-bit pixels (``OpenCVLinearResizer``), then the affine map, as
        /// `cv2.dnn.blobFromImage` after a resize does; the affine map always comes after resizing.
        case openCVLinear
    }

    /// A per-channel affine map on 0…255 values.
    public struct ChannelAffine: Sendable, Equatable {
        public var scale: (Float, Float, Float)
        public var offset: (Float, Float, Float)

        public init(scale: (Float, Float, Float), offset: (Float, Float, Float)) {
            self.scale = scale
            self.offset = offset
        }

        /// Leaves values as they are (0…255).
        public static let identity = ChannelAffine(scale: (1, 1, 1), offset: (0, 0, 0))

        public static func == (a: ChannelAffine, b: ChannelAffine) -> Bool {
            a.scale == b.scale && a.offset == b.offset
        }
    }

    /// Sampling positions along one axis: lower/upper source index and the weight of the upper one.
    struct AxisTaps {
        var lower: [Int]
        var upper: [Int]
        var weight: [Float]
        /// Leading outputs whose upper tap is not the last input (the taps only move forward): along a row of RGB
        /// pixels, four bytes from either tap stay inside the row.
        var vectorPixels = 0

        init(input: Int, output: Int, convention: Convention) {
            lower = []
            upper = []
            weight = []
            lower.reserveCapacity(output)
            upper.reserveCapacity(output)
            weight.reserveCapacity(output)
            let scale = Float(input) / Float(output)
            for i in 0..<output {
                switch convention {
                case .halfPixel:
                    // ATen area_pixel_compute_source_index + guard_index_and_lambda.
                    var source = scale * (Float(i) + 0.5) - 0.5
                    if source < 0 { source = 0 }
                    let low = min(Int(source.rounded(.down)), input - 1)
                    let lambda = min(max(source - Float(low), 0), 1)
                    lower.append(low)
                    upper.append(low < input - 1 ? low + 1 : low)
                    weight.append(lambda)
                case .openCVLinear:
                    preconditionFailure("BilinearResizer: OpenCV's fixed-point resize has no float taps (OpenCVLinearResizer)")
                case .tensorFlowLegacy:
                    // TF LegacyScaler: in = out·scale, lower = floor, upper = min(ceil, in−1), lerp = in − floor.
                    let source = Float(i) * scale
                    let low = Int(source.rounded(.down))
                    lower.append(low)
                    upper.append(min(Int(source.rounded(.up)), input - 1))
                    weight.append(source - Float(low))
                }
            }
            vectorPixels = upper.firstIndex { $0 >= input - 1 } ?? output
        }
    }

    /// Resizes `image` to `width × height` as float HWC, in a new array (see
    /// ``resize(_:width:height:convention:affine:affineBeforeResize:into:)`` to write into existing storage).
    public static func resize(
        _ image: some RGBRowSource, width: Int, height: Int, convention: Convention,
        affine: ChannelAffine = .identity, affineBeforeResize: Bool = false
    ) -> [Float] {
        precondition(width > 0 && height > 0, "BilinearResizer: output size must be positive")
        return [Float](unsafeUninitializedCapacity: width * height * 3) { buffer, initialized in
            buffer.initialize(repeating: 0)
            resize(image, width: width, height: height, convention: convention, affine: affine, affineBeforeResize: affineBeforeResize, into: buffer)
            initialized = buffer.count
        }
    }

    /// Resizes `image` to `width × height` and writes float HWC into `destination`, which must hold exactly
    /// `width × height × 3` values (a tensor's storage, so the pixels are written once, where they are used).
    ///
    /// The bilinear conventions read only the source rows they sample, each once, in ascending order
    /// (``RGBRowSource/withRows(_:)``), so a source that converts its rows on demand converts only those; OpenCV's
    /// resize takes the whole ``RGBRowSource/image``.
    ///
    /// - Parameters:
    ///   - affine: per-channel map applied to every value.
    ///   - affineBeforeResize: apply `affine` to the source pixels before interpolating (torchvision) rather than to
    ///     the interpolated values (TensorFlow).
    public static func resize(
        _ image: some RGBRowSource, width: Int, height: Int, convention: Convention,
        affine: ChannelAffine = .identity, affineBeforeResize: Bool = false, into destination: UnsafeMutableBufferPointer<Float>
    ) {
        resize(
            image, width: width, height: height, convention: convention, affine: affine, affineBeforeResize: affineBeforeResize,
            vectorRows: VectorRows.isSupported, into: destination)
    }

    /// ``resize(_:width:height:convention:affine:affineBeforeResize:into:)`` with the rows computed by ``VectorRows``
    /// when `vectorRows` (only on a CPU that runs them) or by the portable Swift loops otherwise — the same bits.
    static func resize(
        _ image: some RGBRowSource, width: Int, height: Int, convention: Convention, affine: ChannelAffine, affineBeforeResize: Bool,
        vectorRows: Bool, into destination: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(width > 0 && height > 0, "BilinearResizer: output size must be positive")
        precondition(
            destination.count == width * height * 3, "BilinearResizer: destination holds \(destination.count) values, not \(width)×\(height)×3")
        if convention == .openCVLinear {
            precondition(!affineBeforeResize, "BilinearResizer: OpenCV's resize works on 8-bit pixels; the affine map comes after it")
            floats(OpenCVLinearResizer.resize(image.image, width: width, height: height), affine: affine, into: destination)
            return
        }
        let xs = AxisTaps(input: image.width, output: width, convention: convention)
        let ys = AxisTaps(input: image.height, output: height, convention: convention)
        let legacy = convention == .tensorFlowLegacy
        let vector = vectorRows ? VectorRows(xs) : nil
        let rowValues = width * 3
        // The affine map per value of an output row (3-periodic), so the vertical pass runs on contiguous floats.
        var scaleRow = [Float](repeating: 0, count: rowValues), offsetRow = scaleRow
        for x in 0..<width {
            (scaleRow[3 * x], scaleRow[3 * x + 1], scaleRow[3 * x + 2]) = affine.scale
            (offsetRow[3 * x], offsetRow[3 * x + 1], offsetRow[3 * x + 2]) = affine.offset
        }
        // Every output value is `vertical(horizontal(top row), horizontal(bottom row))` with the same operations as
        // the per-pixel formula, so each source row's horizontal pass is computed once, when first needed, and kept
        // while the next output rows still read it (two rows suffice: source rows only move down).
        image.withRows { sourceRow in
            scaleRow.withUnsafeBufferPointer { scale in
                offsetRow.withUnsafeBufferPointer { offset in
                    // One spare value after each slot: a pixel's 4-lane store also writes the next pixel's first value.
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * rowValues + 2) { rows in
                        let slots = (rows.baseAddress!, rows.baseAddress! + rowValues + 1)
                        var held = (-1, -1)
                        let scale4 = SIMD4<Float>(scale[0], scale[1], scale[2], 0), offset4 = SIMD4<Float>(offset[0], offset[1], offset[2], 0)
                        /// The horizontal pass of source row `sy` into `h`: `h[x·3 + c]`, every x and channel.
                        func horizontal(_ sy: Int, into h: UnsafeMutablePointer<Float>) {
                            let line = sourceRow(sy)
                            if let vector {
                                vector.horizontal(
                                    line, affine: affineBeforeResize ? (scale.baseAddress!, offset.baseAddress!) : nil, legacy: legacy,
                                    into: h)
                                return
                            }
                            // Pixels whose taps both have a next pixel in the row: the three channels in the first three lanes
                            // of a 4-byte load (the fourth, the next pixel's red, is computed and overwritten), each lane with
                            // the same operations as the per-channel loop below, so the same values.
                            switch (legacy, affineBeforeResize) {
                            case (true, false): Self.horizontalPixels(line, xs, into: h) { l, r, w in l + (r - l) * w }
                            case (false, false): Self.horizontalPixels(line, xs, into: h) { l, r, w in l * (1 - w) + r * w }
                            case (true, true):
                                Self.horizontalPixels(line, xs, into: h) { l, r, w in
                                    let (l, r) = (l * scale4 + offset4, r * scale4 + offset4)
                                    return l + (r - l) * w
                                }
                            case (false, true):
                                Self.horizontalPixels(line, xs, into: h) { l, r, w in
                                    let (l, r) = (l * scale4 + offset4, r * scale4 + offset4)
                                    return l * (1 - w) + r * w
                                }
                            }
                            for x in xs.vectorPixels..<width {
                                let left = xs.lower[x] * 3, right = xs.upper[x] * 3, wx = xs.weight[x]
                                for c in 0..<3 {
                                    var l = Float(line[left + c]), r = Float(line[right + c])
                                    if affineBeforeResize {
                                        l = l * scale[c] + offset[c]
                                        r = r * scale[c] + offset[c]
                                    }
                                    // TensorFlow: l + (r − l)·w; ATen: l·(1 − w) + r·w.
                                    h[3 * x + c] = legacy ? l + (r - l) * wx : l * (1 - wx) + r * wx
                                }
                            }
                        }
                        /// The slot holding source row `sy`, computing it into the slot that does not hold `keep`.
                        func slot(_ sy: Int, keeping keep: Int) -> UnsafeMutablePointer<Float> {
                            if held.0 == sy { return slots.0 }
                            if held.1 == sy { return slots.1 }
                            if held.0 != keep {
                                horizontal(sy, into: slots.0)
                                held.0 = sy
                                return slots.0
                            }
                            horizontal(sy, into: slots.1)
                            held.1 = sy
                            return slots.1
                        }
                        for y in 0..<height {
                            let top = slot(ys.lower[y], keeping: ys.upper[y])
                            let bottom = slot(ys.upper[y], keeping: ys.lower[y])
                            let wy = ys.weight[y]
                            let out = destination.baseAddress! + y * rowValues
                            let mapped = affineBeforeResize ? nil : (scale: scale.baseAddress!, offset: offset.baseAddress!)
                            if vector != nil {
                                VectorRows.vertical(top, bottom, wy, legacy: legacy, affine: mapped, count: rowValues, into: out)
                            } else {
                                Self.vertical(top, bottom, wy, legacy: legacy, affine: mapped, count: rowValues, into: out)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The horizontal pass of one source row for the leading ``AxisTaps/vectorPixels`` outputs: `value(left, right,
    /// weight)` on the two taps' pixels as 4-lane vectors (R, G, B and the next pixel's red, whose result the next
    /// store overwrites; `h` needs one value past the row).
    @inline(__always)
    private static func horizontalPixels(
        _ line: UnsafePointer<UInt8>, _ xs: AxisTaps, into h: UnsafeMutablePointer<Float>,
        _ value: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) -> SIMD4<Float>
    ) {
        xs.lower.withUnsafeBufferPointer { lower in
            xs.upper.withUnsafeBufferPointer { upper in
                xs.weight.withUnsafeBufferPointer { weight in
                    for x in 0..<xs.vectorPixels {
                        let v = value(fourValues(line + 3 * lower[x]), fourValues(line + 3 * upper[x]), SIMD4(repeating: weight[x]))
                        UnsafeMutableRawPointer(h + 3 * x).storeBytes(of: v, as: SIMD4<Float>.self)
                    }
                }
            }
        }
    }

    /// The 4 bytes at `p` as floats (exact: every byte value is a float).
    @inline(__always)
    private static func fourValues(_ p: UnsafePointer<UInt8>) -> SIMD4<Float> {
        SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: UnsafeRawPointer(p).loadUnaligned(as: SIMD4<UInt8>.self)))
    }

    /// One output row from its two horizontally interpolated source rows: `t + (b − t)·w` (TensorFlow) or
    /// `t·(1 − w) + b·w` (ATen), then the affine map when given.
    @inline(__always)
    private static func vertical(
        _ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>, _ wy: Float, legacy: Bool,
        affine: (scale: UnsafePointer<Float>, offset: UnsafePointer<Float>)?, count: Int, into out: UnsafeMutablePointer<Float>
    ) {
        switch (legacy, affine) {
        case (true, let (scale, offset)?):
            for i in 0..<count { out[i] = (top[i] + (bottom[i] - top[i]) * wy) * scale[i] + offset[i] }
        case (true, nil):
            for i in 0..<count { out[i] = top[i] + (bottom[i] - top[i]) * wy }
        case (false, let (scale, offset)?):
            for i in 0..<count { out[i] = (top[i] * (1 - wy) + bottom[i] * wy) * scale[i] + offset[i] }
        case (false, nil):
            for i in 0..<count { out[i] = top[i] * (1 - wy) + bottom[i] * wy }
        }
    }

    /// Converts an image already at the network size (e.g. scaled by swscale) to float HWC with the affine map, in a
    /// new array.
    public static func floats(_ image: RGBImage, affine: ChannelAffine = .identity) -> [Float] {
        [Float](unsafeUninitializedCapacity: image.pixels.count) { buffer, initialized in
            buffer.initialize(repeating: 0)
            floats(image, affine: affine, into: buffer)
            initialized = buffer.count
        }
    }

    /// Converts an image already at the network size to float HWC with the affine map, into `destination`, which must
    /// hold exactly `width × height × 3` values.
    public static func floats(_ image: RGBImage, affine: ChannelAffine = .identity, into destination: UnsafeMutableBufferPointer<Float>) {
        precondition(
            destination.count == image.pixels.count, "BilinearResizer: destination holds \(destination.count) values, not \(image.pixels.count)")
        let scales = [affine.scale.0, affine.scale.1, affine.scale.2]
        let offsets = [affine.offset.0, affine.offset.1, affine.offset.2]
        image.pixels.withUnsafeBufferPointer { src in
            var i = 0
            while i < src.count {
                destination[i] = Float(src[i]) * scales[0] + offsets[0]
                destination[i + 1] = Float(src[i + 1]) * scales[1] + offsets[1]
                destination[i + 2] = Float(src[i + 2]) * scales[2] + offsets[2]
                i += 3
            }
        }
    }
}
