/// How sure a change of side must be before it counts, so that a box jittering on a border (detector noise, a
/// person standing on the line) makes no storm of events.
///
/// An observation (a frame on which the track was matched) is *firm* on one side when its anchor is at least
/// ``margin`` pixels from the border (hysteresis); nearer, it is ignored. The track's side changes after ``frames``
/// firm observations on the other side with none on the current side between them (debounce). Frames on which the
/// track was not seen (occlusion, the tracker coasting) neither count nor reset.
public struct Steadiness: Sendable, Equatable {
    /// Firm observations needed for a change (`debounce`, default 2; 1 = the first firm observation decides).
    public var frames: Int
    /// Distance in source pixels from the border within which an observation is ignored (`margin`, default 4).
    public var margin: Double

    /// The default debounce.
    public static let defaultFrames = 2
    /// The default margin.
    public static let defaultMargin = 4.0

    /// Creates the setting.
    public init(frames: Int = defaultFrames, margin: Double = defaultMargin) {
        self.frames = frames
        self.margin = margin
    }

    /// `points` in source pixels of a `width × height` frame.
    static func resolve(_ points: [ImagePoint], relative: Bool, width: Int, height: Int) -> [ImagePoint] {
        guard relative else { return points }
        return points.map { ImagePoint(x: $0.x * Double(width), y: $0.y * Double(height)) }
    }
}
