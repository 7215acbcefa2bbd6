/// Frames per second of one stream over the last ``window`` seconds, from the monotonic times of its frames.
///
/// The rate is the number of frame intervals in the window over the time they span, `(n − 1) / (last − first)`: exact
/// for a steady stream (25 fps reads 25.0, 29.97 reads 29.97) as soon as two frames were seen, with no sampling
/// phase to jitter it. When frames stop, the time since the last frame beyond one mean interval counts as well, so the
/// rate falls smoothly, and reads 0 once fewer than two frames are left in the window. One frame alone in the window
/// reads `1 / window`.
///
/// At most ``capacity`` times are kept; a faster stream's window is then the last ``capacity`` frames (still exact).
struct FrameRateWindow: Sendable {
    /// Seconds the rate looks back.
    static let window = 10.0
    /// Frame times kept at most (enough for 102 fps over the whole window).
    static let capacity = 1024

    /// Monotonic seconds of the kept frames, oldest first from `start` (a ring once full).
    private var times: [Double] = []
    private var start = 0

    init() {}

    /// Records a frame at monotonic time `now` (seconds; callers pass non-decreasing times).
    mutating func record(at now: Double) {
        if times.count < Self.capacity {
            times.append(now)
        } else {
            times[start] = now
            start = (start + 1) % Self.capacity
        }
    }

    /// Frames per second at monotonic time `now`.
    func rate(at now: Double) -> Double {
        let count = times.count
        guard count > 0 else { return 0 }
        let last = times[(start + count - 1) % count]
        // The oldest frame still inside the window.
        var first = times[start]
        var inside = count
        var offset = 0
        while offset < count - 1 && now - first > Self.window {
            offset += 1
            first = times[(start + offset) % count]
            inside -= 1
        }
        guard now - last <= Self.window else { return 0 }
        guard inside >= 2 else { return 1 / Self.window }
        let span = last - first
        guard span > 0 else { return 0 }
        let intervals = Double(inside - 1)
        let idle = max(0, (now - last) - span / intervals)
        return intervals / (span + idle)
    }
}
