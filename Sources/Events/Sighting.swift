import Geometry

/// When a frame was seen: its index and times, and the clock events measure dwell on.
struct FrameStamp: Sendable {
    var frameIndex: Int
    var pts: Double?
    /// Wall-clock decode time, seconds since the Unix epoch.
    var time: Double
    /// Seconds on the stream's clock: the presentation time, or the wall-clock time for a frame without one.
    var clock: Double { pts ?? time }
}

/// A track seen on one frame: its box and the anchor point a place judges.
struct Sighting: Sendable {
    var stamp: FrameStamp
    var box: Box
    var point: ImagePoint
}
