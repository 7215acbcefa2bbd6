import CFFmpeg

/// A frame rate as the exact fraction containers store, e.g. 25/1 or 30000/1001 (NTSC's 29.97).
public struct FrameRate: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Frames …
    public var numerator: Int
    /// … per this many seconds.
    public var denominator: Int

    /// Creates `numerator / denominator` frames per second.
    public init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// Frames per second as a number; NaN when the fraction is not positive.
    public var framesPerSecond: Double {
        numerator > 0 && denominator > 0 ? Double(numerator) / Double(denominator) : .nan
    }

    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }

    /// The encoder time base (one tick per frame, `denominator / numerator` seconds) reduced to the 16-bit
    /// denominators MPEG-4 Part 2 accepts; nil unless the rate is between 1/1000 and 1000 frames per second.
    var encoderTimeBase: AVRational? {
        guard numerator > 0, denominator > 0, numerator <= Int(Int32.max), denominator <= Int(Int32.max) else { return nil }
        guard framesPerSecond >= 0.001, framesPerSecond <= 1000 else { return nil }
        var num: Int32 = 0
        var den: Int32 = 0
        _ = av_reduce(&num, &den, Int64(denominator), Int64(numerator), 65535)
        guard num > 0, den > 0 else { return nil }
        return AVRational(num: num, den: den)
    }
}
