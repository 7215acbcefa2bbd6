import MediaIO

/// One read of a looping file from its start to its end, and what follows it.
struct FilePass: Sendable, Equatable {
    /// Frames the pass handed out (decoded and selected).
    var framesYielded: Int

    /// The `stream` record message of a looping file that ends because a pass yielded nothing.
    static let emptyPassMessage = "loop: a pass over the file yielded no frame (empty or unreadable video); not starting it again"

    /// Whether a looping file starts again: only after a pass that yielded at least one frame, so an empty or
    /// unreadable file ends instead of being reopened in a tight loop.
    var startsAgain: Bool { framesYielded > 0 }
}

/// The presentation times of a looping file made continuous: each pass's frames are shifted so that its first frame
/// comes one frame interval after the previous pass's last, so records, zone dwell times and realtime pacing see
/// time going on rather than jumping back at every wrap.
struct LoopTimeline: Sendable {
    /// Added to the current pass's timestamps.
    private(set) var offset = 0.0
    /// The last shifted timestamp handed out.
    private var last: Double?
    /// The last positive interval between consecutive timestamps (25 frames/s until two were seen).
    private var interval = 0.04
    private var wrapped = false

    /// Marks the end of a pass: the next timestamp placed starts the new pass.
    mutating func startPass() { wrapped = true }

    /// `pts` on the continuous timeline; nil and non-finite timestamps pass unchanged.
    mutating func place(_ pts: Double?) -> Double? {
        guard let pts, pts.isFinite else { return pts }
        if wrapped, let last {
            offset = last + interval - pts
            wrapped = false
        }
        let shifted = pts + offset
        if let last, shifted > last { interval = shifted - last }
        last = shifted
        return shifted
    }

    /// `frame` with its timestamp placed on the continuous timeline.
    mutating func place(_ frame: VideoFrame) -> VideoFrame {
        VideoFrame(
            index: frame.index, presentationTime: place(frame.presentationTime), sourceWidth: frame.sourceWidth, sourceHeight: frame.sourceHeight,
            pixels: frame.pixels)
    }
}
