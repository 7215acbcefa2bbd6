/// Paces a file's frames to their timestamps, like `ffmpeg -re`: each frame is handed on when its presentation time
/// is due on the wall clock, counted from the first frame.
///
/// Pure bookkeeping: the caller passes the clock (`now`, seconds on any monotonic clock) and waits the returned
/// delay itself, so the rules are testable without waiting. The clock is re-anchored (the frame is due at once, or one
/// frame interval after the previous frame) when the timestamps go backwards (a looping file starting again, a
/// discontinuity), jump ahead by more than ``maximumJump``, or when the reader has fallen more than ``maximumLag``
/// behind (a source held back by a full queue): a stall is followed by normal pacing, never by a burst.
public struct RealtimePacer: Sendable {
    /// The interval assumed between frames until two timestamps have been seen (25 frames/s).
    public static let defaultInterval = 0.04
    /// Timestamps further ahead of the previous frame than this (seconds) start a new timeline instead of a wait.
    public static let maximumJump = 10.0
    /// Frames later than this (seconds) re-anchor the clock instead of being handed on in a burst.
    public static let maximumLag = 1.0

    /// The timestamp and the clock time of the frame the timeline is counted from.
    private var anchor: (pts: Double, time: Double)?
    /// The previous frame's timestamp and when it was due.
    private var previous: (pts: Double, due: Double)?
    /// The last positive interval seen between consecutive timestamps.
    private var interval = RealtimePacer.defaultInterval

    public init() {}

    /// How long to wait (seconds, ≥ 0) before handing on a frame with presentation time `pts` at clock time `now`.
    /// A frame without a (finite) timestamp is due one frame interval after the previous one.
    public mutating func delay(pts: Double?, now: Double) -> Double {
        let due = dueTime(pts: pts, now: now)
        return max(0, due - now)
    }

    private mutating func dueTime(pts rawPTS: Double?, now: Double) -> Double {
        let pts = rawPTS.flatMap { $0.isFinite ? $0 : nil }
        guard let previous, let anchor else {
            let start = pts ?? 0
            anchor = (start, now)
            self.previous = (start, now)
            return now
        }
        let timestamp = pts ?? previous.pts + interval
        let step = timestamp - previous.pts
        if step > 0 && step <= Self.maximumJump {
            interval = step
        }
        var due = anchor.time + (timestamp - anchor.pts)
        let continues = step >= 0 && step <= Self.maximumJump
        if !continues {
            // A new timeline (a loop starting again, a timestamp jump): due one interval after the previous frame.
            due = max(now, previous.due + interval)
            self.anchor = (timestamp, due)
        } else if now - due > Self.maximumLag {
            // Held back for more than a second: continue from now rather than catch up.
            due = now
            self.anchor = (timestamp, now)
        }
        self.previous = (timestamp, due)
        return due
    }
}
