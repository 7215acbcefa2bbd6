import MediaIO

/// A source's side of motion gating: its stream's ``MotionGate`` (none without `motion = true`), fed each decoded
/// frame before it is queued, and the scheduler's drop count it has seen.
struct MotionGating {
    private var gate: MotionGate?
    private var seenDrops = 0

    /// Gating with `settings`; nil gates nothing.
    init(settings: MotionSettings?) { gate = settings.map(MotionGate.init(settings:)) }

    /// The next frame is inferred (a new connection or pass).
    mutating func reset() { gate?.reset() }

    /// Whether `frame` of `stream` is gated (queued without inference). Its time is its presentation time, or `now()`
    /// for a stream without timestamps. After the scheduler dropped a frame the gate let through (a live stream
    /// behind), the next frame is inferred: the dropped frame's detections never arrive, so the reference would not
    /// match the detections gated frames reuse.
    mutating func gates(_ frame: VideoFrame, stream: Int, scheduler: FrameScheduler, now: () -> Double) -> Bool {
        guard var gate else { return false }
        let drops = scheduler.drops(stream: stream)
        if drops != seenDrops {
            seenDrops = drops
            gate.reset()
        }
        let decision = gate.decide(frame.pixels, at: frame.presentationTime ?? now())
        self.gate = gate
        return !decision.infers
    }
}
