import Dispatch
import Foundation

/// What one stream has done so far, as the API reports it: frame counts, input and output rates over the last 10 s
/// and when its last frame was written. Read with ``PipelineMetrics/activity(stream:)``.
struct StreamActivity: Sendable, Equatable {
    var decoded = 0
    var inferred = 0
    var dropped = 0
    var written = 0
    /// Frames decoded per second over the last 10 s (``FrameRateWindow``).
    var inputFramesPerSecond = 0.0
    /// Frames written per second over the last 10 s.
    var outputFramesPerSecond = 0.0
    /// Wall-clock time (seconds since the Unix epoch) the last frame was written; nil before the first.
    var lastFrameTime: Double?
    /// Frames the motion gate held back from the detector.
    var gated = 0
}

/// The running tally behind one stream's ``StreamActivity``, kept by ``PipelineMetrics`` under its lock.
struct StreamActivityTally: Sendable {
    private(set) var decoded = 0
    private(set) var inferred = 0
    private(set) var written = 0
    private(set) var gated = 0
    private var input = FrameRateWindow()
    private var output = FrameRateWindow()
    private var lastFrameTime: Double?

    init() {}

    /// Counts a decoded frame at monotonic time `now` (seconds).
    mutating func countDecoded(at now: Double) {
        decoded += 1
        input.record(at: now)
    }

    /// Counts an inferred frame.
    mutating func countInferred() { inferred += 1 }

    /// Counts a frame the motion gate held back from the detector.
    mutating func countGated() { gated += 1 }

    /// Counts a written frame at monotonic time `now` and wall-clock time `wall` (seconds since the Unix epoch).
    mutating func countWritten(at now: Double, wall: Double) {
        written += 1
        output.record(at: now)
        lastFrameTime = wall
    }

    /// The activity at monotonic time `now`, with `dropped` frames.
    func activity(at now: Double, dropped: Int) -> StreamActivity {
        StreamActivity(
            decoded: decoded, inferred: inferred, dropped: dropped, written: written, inputFramesPerSecond: input.rate(at: now),
            outputFramesPerSecond: output.rate(at: now), lastFrameTime: lastFrameTime, gated: gated)
    }

    /// Monotonic seconds now (the clock the rates use).
    static var monotonicNow: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    /// Wall-clock seconds since the Unix epoch now.
    static var wallNow: Double { Date().timeIntervalSince1970 }
}
