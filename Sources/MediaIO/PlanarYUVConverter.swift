import Imaging
import PixelKernels

/// Planar 8-bit YUV — 4:2:0, 4:2:2 or 4:4:4 — to packed RGB24 at the same size, byte for byte what `sws_scale` of
/// libswscale 5.1 gives with `SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT` and the default (BT.601) colour
/// table, faster: libswscale runs that combination in scalar C; here 0.28 ms for a 640×480 frame, 1.9 ms for 1920×1080
/// (Intel Xeon, 2026-12-06), and decoding plus converting a 640×480 H.264 frame went from 1.21 to 0.58 ms
/// (`ssdd bench --video`).
///
/// What libswscale does there, reproduced here: luma passes unchanged (`y << 9` in its 15-bit pipeline), chroma is
/// enlarged horizontally by its bilinear filter (``SwscaleFilter``, 14-bit weights, into 15 bits) and vertically by
/// taking, per output row, the nearer chroma line or the mean of two (its `yuv2packed1` shortcut, used when the vertical
/// filter has two weights summing to 4096, as for every 2× enlargement; for any other, the initializer fails), then
/// the 30-bit fixed-point YUV → RGB of its full-chroma writer. ``PixelConverter`` checks the first frame of every size
/// and range against libswscale itself and keeps libswscale if the bytes differ (another libswscale version), so the
/// images never change.
final class PlanarYUVConverter: Sendable {
    let width: Int
    let height: Int
    /// Chroma subsampling as shifts: (1, 1) for 4:2:0, (1, 0) for 4:2:2, (0, 0) for 4:4:4.
    let chromaShift: (x: Int, y: Int)
    let fullRange: Bool
    private let horizontal: SwscaleFilter
    fileprivate let vertical: SwscaleFilter
    /// `horizontal` as pairs of neighbouring weights, when it has that form (it has for 2× enlargement).
    private let horizontalPairs: (positions: [Int32], weights: [Int16])?
    /// `horizontalPairs` as a plain 2× enlargement (even widths): its two edge pairs and the alternating weights.
    private let doubling: (first: [Int32], last: [Int32], a: Int16, b: Int16)?
    fileprivate let coefficients: ssdd_yuv_coefficients

    /// Nil where libswscale would not take its vertical shortcut (a vertical filter other than one weight, or two
    /// summing to 4096): libswscale then converts.
    ///
    /// - Parameters:
    ///   - usesPairs: enlarge chroma with the two-weight form of the horizontal filter where it has one (the tests turn
    ///     it off to check the general form too).
    /// - Precondition: `width`, `height` ≥ 1 and at most 1 << 14; each chroma shift 0 or 1.
    init?(width: Int, height: Int, chromaShift: (x: Int, y: Int) = (1, 1), fullRange: Bool, usesPairs: Bool = true) {
        precondition((1...(1 << 14)).contains(width) && (1...(1 << 14)).contains(height), "PlanarYUVConverter: size")
        precondition((0...1).contains(chromaShift.x) && (0...1).contains(chromaShift.y), "PlanarYUVConverter: chroma shift")
        self.width = width
        self.height = height
        self.chromaShift = chromaShift
        self.fullRange = fullRange
        // libswscale: chroma planes of ⌈size / 2^shift⌉ samples, centred sitings, enlarged to the luma size.
        let chromaWidth = (width + (1 << chromaShift.x) - 1) >> chromaShift.x
        let chromaHeight = (height + (1 << chromaShift.y) - 1) >> chromaShift.y
        let destination = SwscaleFilter.position(subsampling: 0)
        horizontal = SwscaleFilter(
            increment: SwscaleFilter.increment(source: chromaWidth, destination: width), source: chromaWidth, destination: width,
            alignment: 4, one: 1 << 14, sourcePosition: SwscaleFilter.position(subsampling: chromaShift.x),
            destinationPosition: destination)
        let vertical = SwscaleFilter(
            increment: SwscaleFilter.increment(source: chromaHeight, destination: height), source: chromaHeight,
            destination: height, alignment: 2, one: 1 << 12, sourcePosition: SwscaleFilter.position(subsampling: chromaShift.y),
            destinationPosition: destination)
        self.vertical = vertical
        // libswscale's `packed_vscale` takes `yuv2packed1` (the nearer line or the mean of two) only for these.
        let shortcut = (0..<height).allSatisfy { y in
            vertical.size == 1
                || (vertical.size == 2 && Int(vertical.weights[2 * y]) + Int(vertical.weights[2 * y + 1]) == 4096
                    && (0...4096).contains(vertical.weights[2 * y + 1])
                    && (vertical.weights[2 * y + 1] < 2048 || Int(vertical.positions[y]) + 1 < chromaHeight))
        }
        guard shortcut else { return nil }
        horizontalPairs = usesPairs ? horizontal.pairs(source: chromaWidth) : nil
        doubling = horizontalPairs.flatMap { Self.doubling($0, width: width) }
        coefficients = Self.coefficients(fullRange: fullRange)
    }

    /// The pairs' regular form, if they have it: output `i` in `1..<width − 1` starts at input `(i − 1) / 2` with
    /// weights (`a`, `b`) when `i` is odd and (`b`, `a`) when even.
    static func doubling(
        _ pairs: (positions: [Int32], weights: [Int16]), width: Int
    ) -> (first: [Int32], last: [Int32], a: Int16, b: Int16)? {
        guard width >= 4, width % 2 == 0 else { return nil }
        let a = pairs.weights[2], b = pairs.weights[3]
        for i in 1..<(width - 1) {
            let (w0, w1) = i % 2 == 1 ? (a, b) : (b, a)
            guard pairs.positions[i] == Int32((i - 1) / 2), pairs.weights[2 * i] == w0, pairs.weights[2 * i + 1] == w1 else {
                return nil
            }
        }
        func pair(_ i: Int) -> [Int32] { [pairs.positions[i], Int32(pairs.weights[2 * i]), Int32(pairs.weights[2 * i + 1])] }
        return (pair(0), pair(width - 1), a, b)
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
        convert(Planes(luma: luma, lumaStride: lumaStride, u: u, uStride: uStride, v: v, vStride: vStride), into: rgb)
    }

    /// Converts `planes` (of this converter's size) into `rgb` (`width · height · 3` bytes), row by row.
    func convert(_ planes: Planes, into rgb: UnsafeMutablePointer<UInt8>) {
        let rows = Rows(self, planes: planes)
        for y in 0..<height { rows.convert(row: y, into: rgb + y * width * 3) }
    }

    /// The planes (of this converter's size) as a new RGB image.
    func image(of planes: Planes) -> RGBImage {
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, initialized in
            convert(planes, into: buffer.baseAddress!)
            initialized = buffer.count
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The three planes of one frame and their strides (bytes from one row to the next, negative for bottom-up planes).
    struct Planes {
        let luma: UnsafePointer<UInt8>, lumaStride: Int
        let u: UnsafePointer<UInt8>, uStride: Int
        let v: UnsafePointer<UInt8>, vStride: Int
    }

    /// Converts rows of one frame one at a time, in any order, each exactly as ``convert(luma:lumaStride:u:uStride:v:vStride:into:)``
    /// converts it (which runs through this): a row is its luma line and one or two chroma lines enlarged
    /// horizontally, and the two chroma lines used last are kept, so rows in ascending order enlarge each chroma line
    /// once.
    final class Rows {
        private let converter: PlanarYUVConverter
        private let planes: Planes
        /// Enlarged chroma lines (15-bit, `width` samples of U then of V per slot); chroma line `i` lives in slot `i & 1`.
        private let lines: UnsafeMutablePointer<Int16>
        private var cached = (-1, -1)

        /// - Precondition: the planes hold `converter`'s size and chroma subsampling; they must outlive this.
        init(_ converter: PlanarYUVConverter, planes: Planes) {
            self.converter = converter
            self.planes = planes
            lines = .allocate(capacity: 2 * 2 * converter.width)
        }

        deinit { lines.deallocate() }

        /// Writes row `y` (`0 ..< height`) as `width × 3` bytes of RGB into `out`.
        func convert(row y: Int, into out: UnsafeMutablePointer<UInt8>) {
            precondition(y >= 0 && y < converter.height, "PlanarYUVConverter: row \(y) outside 0..<\(converter.height)")
            let vertical = converter.vertical, w = converter.width
            let first = line(Int(vertical.positions[y]))
            let luma = planes.luma + y * planes.lumaStride
            withUnsafePointer(to: converter.coefficients) { k in
                if vertical.size == 2 && vertical.weights[2 * y + 1] >= 2048 {
                    let second = line(Int(vertical.positions[y]) + 1)
                    ssdd_yuv_rgb24_row_lines(luma, first.u, second.u, first.v, second.v, w, k, out)
                } else {
                    ssdd_yuv_rgb24_row_lines(luma, first.u, nil, first.v, nil, w, k, out)
                }
            }
        }

        /// Chroma line `index` enlarged, from its slot or computed into it.
        private func line(_ index: Int) -> (u: UnsafePointer<Int16>, v: UnsafePointer<Int16>) {
            let w = converter.width
            let slot = index & 1
            let uLine = lines + slot * 2 * w, vLine = uLine + w
            if (slot == 0 ? cached.0 : cached.1) != index {
                converter.enlarge(planes.u + index * planes.uStride, into: uLine)
                converter.enlarge(planes.v + index * planes.vStride, into: vLine)
                if slot == 0 { cached.0 = index } else { cached.1 = index }
            }
            return (UnsafePointer(uLine), UnsafePointer(vLine))
        }
    }

    /// One chroma line enlarged horizontally into 15-bit samples.
    fileprivate func enlarge(_ source: UnsafePointer<UInt8>, into line: UnsafeMutablePointer<Int16>) {
        if let doubling {
            ssdd_yuv_hscale_8to15_double(source, width, doubling.first, doubling.last, doubling.a, doubling.b, line)
        } else if let pairs = horizontalPairs {
            pairs.weights.withUnsafeBufferPointer { f in
                pairs.positions.withUnsafeBufferPointer { p in
                    ssdd_yuv_hscale_8to15_pairs(source, f.baseAddress!, p.baseAddress!, width, line)
                }
            }
        } else {
            horizontal.weights.withUnsafeBufferPointer { f in
                horizontal.positions.withUnsafeBufferPointer { p in
                    ssdd_yuv_hscale_8to15(source, f.baseAddress!, p.baseAddress!, horizontal.size, width, line)
                }
            }
        }
    }
}
