/// A scaling filter as libswscale 5.1 builds it for `SWS_BILINEAR` (its `initFilter`): per output sample, the first
/// input sample and `size` integer weights summing to `one`. ``PlanarYUVConverter`` needs libswscale's exact weights,
/// positions and rounding to give the bytes `sws_scale` gives, so this follows its integer arithmetic step by step:
/// the 64-bit fixed-point bilinear kernel, the trimming of near-zero weights, the alignment of the filter length,
/// the folding of weights that fall outside the input onto its edge samples, and the normalisation with the rounding
/// error carried from weight to weight.
struct SwscaleFilter {
    /// Weights per output sample (a multiple of the alignment).
    let size: Int
    /// The first input sample of each output sample.
    let positions: [Int32]
    /// `size` weights per output sample.
    let weights: [Int16]

    /// - Parameters:
    ///   - increment: input samples per output sample in 16.16 fixed point, rounded as libswscale rounds it.
    ///   - source, destination: sample counts (at least 1).
    ///   - alignment: the filter length is rounded up to a multiple of it (libswscale on x86: 4 horizontally,
    ///     2 vertically; a lone weight is not padded to 2).
    ///   - one: the sum of each output sample's weights (`1 << 14` horizontally, `1 << 12` vertically).
    ///   - sourcePosition, destinationPosition: the chroma sitings in 1/256 of a sample (`get_local_pos`).
    init(increment: Int64, source: Int, destination: Int, alignment: Int, one: Int64, sourcePosition: Int64, destinationPosition: Int64) {
        precondition(source >= 1 && destination >= 1 && alignment >= 1, "SwscaleFilter: sizes")
        let fone = Int64(1) << (54 - min(Self.log2(source / destination), 8))
        var length: Int
        var raw: [Int64]
        var positions = [Int32](repeating: 0, count: destination)
        if abs(increment - 0x10000) < 10 && sourcePosition == destinationPosition {
            length = 1
            raw = [Int64](repeating: fone, count: destination)
            for i in 0..<destination { positions[i] = Int32(i) }
        } else {
            // The bilinear kernel spans two input samples on either side when enlarging (size factor 2).
            length = increment <= 1 << 16 ? 3 : 1 + (2 * source + destination - 1) / destination
            length = max(min(length, source - 2), 1)
            raw = [Int64](repeating: 0, count: destination * length)
            var center = ((destinationPosition * increment) >> 7) - ((sourcePosition * 0x10000) >> 7)
            for i in 0..<destination {
                // Division truncating toward zero, as C's.
                var x = (center - Int64(length - 2) * (1 << 16)) / (1 << 17)
                positions[i] = Int32(x)
                for j in 0..<length {
                    var d = abs(x * (1 << 17) - center) << 13
                    if increment > 1 << 16 { d = d * Int64(destination) / Int64(source) }
                    raw[i * length + j] = max((1 << 30) - d, 0) * (fone >> 30)
                    x += 1
                }
                center += 2 * increment
            }
        }
        // Trim weights that sum to nearly nothing from the left (moving the position) and count those on the right.
        let cutOff = 0.002 * Double(fone)
        var minimum = 0
        for i in stride(from: destination - 1, through: 0, by: -1) {
            var kept = length
            var sum: Int64 = 0
            for _ in 0..<length {
                sum += abs(raw[i * length])
                if Double(sum) > cutOff { break }
                // Positions must not decrease from one output sample to the next.
                if i < destination - 1 && positions[i] >= positions[i + 1] { break }
                for k in 1..<max(length, 1) { raw[i * length + k - 1] = raw[i * length + k] }
                raw[i * length + length - 1] = 0
                positions[i] += 1
            }
            sum = 0
            for j in stride(from: length - 1, to: 0, by: -1) {
                sum += abs(raw[i * length + j])
                if Double(sum) > cutOff { break }
                kept -= 1
            }
            minimum = max(minimum, kept)
        }
        let align = minimum == 1 && alignment == 2 ? 1 : alignment
        let size = (minimum + align - 1) / align * align
        var filter = [Int64](repeating: 0, count: destination * size)
        for i in 0..<destination {
            for j in 0..<min(size, length) { filter[i * size + j] = raw[i * length + j] }
        }
        // Weights outside the input go to its first or last sample.
        for i in 0..<destination {
            let base = i * size
            if positions[i] < 0 {
                for j in 1..<max(size, 1) {
                    let left = max(j + Int(positions[i]), 0)
                    filter[base + left] += filter[base + j]
                    filter[base + j] = 0
                }
                positions[i] = 0
            }
            if Int(positions[i]) + size > source {
                let shift = Int(positions[i]) + min(size - source, 0)
                var outside: Int64 = 0
                for j in stride(from: size - 1, through: 0, by: -1) where Int(positions[i]) + j >= source {
                    outside += filter[base + j]
                    filter[base + j] = 0
                }
                for j in stride(from: size - 1, through: 0, by: -1) {
                    filter[base + j] = j < shift ? 0 : filter[base + j - shift]
                }
                positions[i] -= Int32(shift)
                filter[base + source - 1 - Int(positions[i])] += outside
            }
        }
        // Normalise to `one`, carrying each weight's rounding error into the next.
        var weights = [Int16](repeating: 0, count: destination * size)
        for i in 0..<destination {
            var total = filter[(i * size)..<((i + 1) * size)].reduce(0, +)
            total = (total + one / 2) / one
            if total == 0 { total = 1 }
            var error: Int64 = 0
            for j in 0..<size {
                let v = filter[i * size + j] + error
                let rounded = (v >= 0 ? v + (total >> 1) : v - (total >> 1)) / total
                weights[i * size + j] = Int16(truncatingIfNeeded: rounded)
                error = v - rounded * total
            }
        }
        self.size = size
        self.positions = positions
        self.weights = weights
    }

    /// The filter as each output sample's nonzero weights on two neighbouring input samples (the first of them, both
    /// inside the input, and the pair), or nil if some output's nonzero weights span more than two samples or the input
    /// has fewer than two. Leaving out zero weights leaves every sum as it was.
    func pairs(source: Int) -> (positions: [Int32], weights: [Int16])? {
        guard source >= 2 else { return nil }
        let count = positions.count
        var first = [Int32](repeating: 0, count: count)
        var pairs = [Int16](repeating: 0, count: 2 * count)
        for i in 0..<count {
            let taps = weights[(i * size)..<((i + 1) * size)]
            let nonzero = taps.indices.filter { taps[$0] != 0 }
            var position = Int(positions[i]), w0: Int16 = 0, w1: Int16 = 0
            if let low = nonzero.first, let high = nonzero.last {
                guard high - low <= 1 else { return nil }
                position += low - taps.startIndex
                w0 = taps[low]
                w1 = high > low ? taps[high] : 0
            }
            if position + 1 >= source {
                // The pair must lie inside the input: a lone last weight becomes the second of the pair.
                guard w1 == 0 else { return nil }
                (position, w0, w1) = (source - 2, 0, w0)
            }
            guard position >= 0 else { return nil }
            first[i] = Int32(position)
            pairs[2 * i] = w0
            pairs[2 * i + 1] = w1
        }
        return (first, pairs)
    }

    /// libswscale's `av_log2` (0 for 0).
    static func log2(_ value: Int) -> Int { value <= 1 ? 0 : Int.bitWidth - 1 - value.leadingZeroBitCount }

    /// libswscale's increment: `((source << 16) + destination / 2) / destination`.
    static func increment(source: Int, destination: Int) -> Int64 {
        ((Int64(source) << 16) + Int64(destination >> 1)) / Int64(destination)
    }

    /// A sample's siting in 1/256 of a sample for a plane subsampled by `2^subsampling` (libswscale's `get_local_pos`
    /// with the default, centred, chroma location).
    static func position(subsampling: Int) -> Int64 {
        let pos = Int64((128 << subsampling) - 128) + 128
        return pos >> subsampling
    }
}
