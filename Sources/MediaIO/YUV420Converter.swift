import PixelKernels

/// Planar YUV 4:2:0 (8-bit) to packed RGB24 at the same size, byte for byte what `sws_scale` of libswscale 5.1 gives with
/// `SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT` and the default (BT.601) colour table, about seven times
/// faster (libswscale runs that combination in scalar C: ≈ 1 ms for a 640×480 frame on this project's machines).
///
/// What libswscale does there, reproduced here: luma passes unchanged (`y << 9` in its 15-bit pipeline), chroma is
/// enlarged horizontally by its bilinear filter (``SwscaleFilter``, 14-bit weights, into 15 bits) and vertically by
/// taking, per output row, the nearer chroma line or the mean of two (its `yuv2packed1` shortcut, used when the vertical
/// filter has two weights summing to 4096; any other vertical filter runs in full), then the 30-bit fixed-point
/// YUV → RGB of its full-chroma writer. ``PixelConverter`` checks the first frame of every size and range against
/// libswscale itself and keeps libswscale if the bytes differ (another libswscale version), so the images never change.
final class YUV420Converter {
    let width: Int
    let height: Int
    let fullRange: Bool
    private let horizontal: SwscaleFilter
    private let vertical: SwscaleFilter
    /// `horizontal` as pairs of neighbouring weights, when it has that form (it has for 2× enlargement).
    private let horizontalPairs: (positions: [Int32], weights: [Int16])?
    private var coefficients: ssdd_yuv_coefficients

    /// - Parameters:
    ///   - usesPairs: enlarge chroma with the two-weight form of the horizontal filter where it has one (the tests turn
    ///     it off to check the general form too).
    /// - Precondition: `width`, `height` ≥ 1 and at most 1 << 14.
    init(width: Int, height: Int, fullRange: Bool, usesPairs: Bool = true) {
        precondition((1...(1 << 14)).contains(width) && (1...(1 << 14)).contains(height), "YUV420Converter: size")
        self.width = width
        self.height = height
        self.fullRange = fullRange
        let chromaWidth = (width + 1) >> 1, chromaHeight = (height + 1) >> 1
        let source = SwscaleFilter.position(subsampling: 1), destination = SwscaleFilter.position(subsampling: 0)
        horizontal = SwscaleFilter(
            increment: SwscaleFilter.increment(source: chromaWidth, destination: width), source: chromaWidth, destination: width,
            alignment: 4, one: 1 << 14, sourcePosition: source, destinationPosition: destination)
        vertical = SwscaleFilter(
            increment: SwscaleFilter.increment(source: chromaHeight, destination: height), source: chromaHeight,
            destination: height, alignment: 2, one: 1 << 12, sourcePosition: source, destinationPosition: destination)
        horizontalPairs = usesPairs ? horizontal.pairs(source: chromaWidth) : nil
        coefficients = Self.coefficients(fullRange: fullRange)
    }

    /// libswscale's `ff_yuv2rgb_c_init_tables` for the default table (`SWS_CS_DEFAULT`: BT.601), brightness 0,
    /// contrast and saturation 1.
    static func coefficients(fullRange: Bool) -> ssdd_yuv_coefficients {
        let table: [Int64] = [104_597, 132_201, 25_675, 53_279]
        var crv = table[0], cbu = table[1], cgu = -table[2], cgv = -table[3]
        var cy: Int64 = 1 << 16, oy: Int64 = 0
        if !fullRange {
            cy = cy * 255 / 219
            oy = 16 << 16
        } else {
            crv = crv * 224 / 255
            cbu = cbu * 224 / 255
            cgu = cgu * 224 / 255
            cgv = cgv * 224 / 255
        }
        let contrast: Int64 = 1 << 16, saturation: Int64 = 1 << 16
        cy = (cy * contrast) >> 16
        crv = (crv * contrast * saturation) >> 32
        cbu = (cbu * contrast * saturation) >> 32
        cgu = (cgu * contrast * saturation) >> 32
        cgv = (cgv * contrast * saturation) >> 32
        func rounded(_ f: Int64) -> Int32 {
            let r = (f + (1 << 15)) >> 16
            return Int32(Int16(r < -0x7FFF ? -0x8000 : min(r, 0x7FFF)))
        }
        return ssdd_yuv_coefficients(
            y_offset: rounded(oy * (1 << 9)), y_coeff: rounded(cy * (1 << 13)), v2r: rounded(crv * (1 << 13)),
            v2g: rounded(cgv * (1 << 13)), u2g: rounded(cgu * (1 << 13)), u2b: rounded(cbu * (1 << 13)))
    }

    /// Converts the planes (strides: bytes from one row to the next, negative for bottom-up planes) into `rgb`
    /// (`width · height · 3` bytes).
    func convert(
        luma: UnsafePointer<UInt8>, lumaStride: Int, u: UnsafePointer<UInt8>, uStride: Int, v: UnsafePointer<UInt8>, vStride: Int,
        into rgb: UnsafeMutablePointer<UInt8>
    ) {
        let w = width
        let chromaHeight = (height + 1) >> 1
        // Chroma lines enlarged horizontally, computed once each: 15-bit, `w` per line.
        var cache = [Int32](repeating: -1, count: 4)  // which chroma line each of four slots holds
        var lines = [Int16](repeating: 0, count: 4 * 2 * w)
        var uRow = [Int32](repeating: 0, count: w), vRow = [Int32](repeating: 0, count: w)
        lines.withUnsafeMutableBufferPointer { lines in
            let base = lines.baseAddress!
            func line(_ index: Int) -> (UnsafePointer<Int16>, UnsafePointer<Int16>) {
                let slot = index & 3
                let uLine = base + slot * 2 * w, vLine = uLine + w
                if cache[slot] != Int32(index) {
                    if let pairs = horizontalPairs {
                        pairs.weights.withUnsafeBufferPointer { f in
                            pairs.positions.withUnsafeBufferPointer { p in
                                ssdd_yuv_hscale_8to15_pairs(u + index * uStride, f.baseAddress!, p.baseAddress!, w, uLine)
                                ssdd_yuv_hscale_8to15_pairs(v + index * vStride, f.baseAddress!, p.baseAddress!, w, vLine)
                            }
                        }
                    } else {
                        horizontal.weights.withUnsafeBufferPointer { f in
                            horizontal.positions.withUnsafeBufferPointer { p in
                                ssdd_yuv_hscale_8to15(u + index * uStride, f.baseAddress!, p.baseAddress!, horizontal.size, w, uLine)
                                ssdd_yuv_hscale_8to15(v + index * vStride, f.baseAddress!, p.baseAddress!, horizontal.size, w, vLine)
                            }
                        }
                    }
                    cache[slot] = Int32(index)
                }
                return (UnsafePointer(uLine), UnsafePointer(vLine))
            }
            withUnsafeMutablePointer(to: &coefficients) { k in
                uRow.withUnsafeMutableBufferPointer { uRow in
                    vRow.withUnsafeMutableBufferPointer { vRow in
                        let uOut = uRow.baseAddress!, vOut = vRow.baseAddress!
                        let taps = vertical.size
                        for y in 0..<height {
                            let first = Int(vertical.positions[y])
                            let weights = y * taps
                            if taps == 1 {
                                let (u0, v0) = line(first)
                                ssdd_yuv_chroma_one(u0, w, uOut)
                                ssdd_yuv_chroma_one(v0, w, vOut)
                            } else if taps == 2 && Int(vertical.weights[weights]) + Int(vertical.weights[weights + 1]) == 4096
                                && UInt16(bitPattern: vertical.weights[weights + 1]) <= 4096
                            {
                                let (u0, v0) = line(first)
                                if vertical.weights[weights + 1] < 2048 {
                                    ssdd_yuv_chroma_one(u0, w, uOut)
                                    ssdd_yuv_chroma_one(v0, w, vOut)
                                } else {
                                    let (u1, v1) = line(min(first + 1, chromaHeight - 1))
                                    ssdd_yuv_chroma_mean(u0, u1, w, uOut)
                                    ssdd_yuv_chroma_mean(v0, v1, w, vOut)
                                }
                            } else {
                                precondition(taps <= 4, "YUV420Converter: a vertical filter of \(taps) weights")
                                var uLines: [UnsafePointer<Int16>?] = [], vLines: [UnsafePointer<Int16>?] = []
                                for j in 0..<taps {
                                    let (uj, vj) = line(min(first + j, chromaHeight - 1))
                                    uLines.append(uj)
                                    vLines.append(vj)
                                }
                                vertical.weights.withUnsafeBufferPointer { f in
                                    ssdd_yuv_chroma_filtered(uLines, f.baseAddress! + weights, taps, w, uOut)
                                    ssdd_yuv_chroma_filtered(vLines, f.baseAddress! + weights, taps, w, vOut)
                                }
                            }
                            ssdd_yuv_rgb24_row(luma + y * lumaStride, uOut, vOut, w, k, rgb + y * w * 3)
                        }
                    }
                }
            }
        }
    }
}
