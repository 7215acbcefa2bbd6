/// Which decoded frames a reader hands out: every Nth frame and/or at most F frames per second of stream time.
public struct FrameSelection: Sendable, Equatable {
    /// Keep frames whose index is a multiple of this (1 keeps all).
    public var everyNth: Int
    /// Keep at most this many frames per second of presentation time; nil for no limit.
    public var maxFramesPerSecond: Double?

    public init(everyNth: Int = 1, maxFramesPerSecond: Double? = nil) {
        self.everyNth = everyNth
        self.maxFramesPerSecond = maxFramesPerSecond
    }

    /// Keeps every frame.
    public static let all = FrameSelection()

    /// Validates the fields; throws an `.argument` error naming the bad value.
    public func validated(input: String) throws(MediaError) -> FrameSelection {
        guard everyNth >= 1 else {
            throw MediaError(.argument, input: input, message: "every-Nth must be at least 1, got \(everyNth)")
        }
        if let fps = maxFramesPerSecond, !(fps > 0 && fps.isFinite) {
            throw MediaError(.argument, input: input, message: "maximum frame rate must be a positive number, got \(fps)")
        }
        return self
    }
}

/// Applies a ``FrameSelection`` to a sequence of (index, pts) pairs in decode order.
struct FrameSelector {
    let selection: FrameSelection
    private var nextAllowedTime: Double?

    init(_ selection: FrameSelection) {
        self.selection = selection
    }

    /// Whether to keep the frame with this index and presentation time.
    ///
    /// The rate limit keeps the first frame at or after each slot of 1/F seconds, measured from the first kept
    /// frame, so a 30 fps stream limited to 10 fps keeps frames 0, 3, 6, … exactly.
    mutating func keep(index: Int, time: Double?) -> Bool {
        guard index % selection.everyNth == 0 else { return false }
        guard let fps = selection.maxFramesPerSecond, let time else { return true }
        let period = 1 / fps
        if let next = nextAllowedTime, time < next - period * 1e-6 { return false }
        let base = nextAllowedTime ?? time
        // Advance to the first slot after this frame, skipping slots the stream jumped over.
        let slots = max(1, ((time - base) / period).rounded(.down) + 1)
        nextAllowedTime = base + slots * period
        return true
    }
}
