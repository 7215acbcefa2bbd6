import Imaging

/// Why ``MotionGate`` let a frame through to the detector, or held it back.
enum MotionDecision: Sendable, Equatable {
    /// Nothing to compare with: the first frame after a (re)connect or ``MotionGate/reset()``, or a frame whose
    /// thumbnail grid differs from the reference's (the frame size changed).
    case noReference
    /// `motion_refresh` seconds of stream time passed since the last inferred frame (or the time went backwards).
    case refresh
    /// Enough cells changed since the last inferred frame.
    case motion
    /// No motion and no refresh due: the frame is gated (it reuses the last detections).
    case still

    /// Whether the frame goes to the detector.
    var infers: Bool { self != .still }
}

/// One stream's motion gate: decides for each decoded frame whether it goes to the detector (see ``MotionSettings``).
///
/// The reference is the thumbnail of the last frame the gate let through, not of the previous frame, so a slow
/// movement adds up until it crosses the threshold, and the reused detections never lag the picture by more than
/// the threshold. Pure and deterministic: the caller passes the time (the frame's presentation time, or a clock when
/// the stream has none). Runs on the stream's source thread, before the frame is queued for the workers.
struct MotionGate: Sendable {
    let settings: MotionSettings
    private var reference: GreyThumbnail?
    /// The time of the frame `reference` was taken from.
    private var referenceTime = 0.0

    init(settings: MotionSettings) { self.settings = settings }

    /// Forgets the reference: the next frame is inferred. Called at every (re)connect and when the scheduler dropped
    /// a frame the gate had let through (its detections never arrive, so the reference would not match them).
    mutating func reset() { reference = nil }

    /// Decides for `image`, shown at `time` seconds; a decision that infers makes `image` the new reference.
    mutating func decide(_ image: some RGBRowSource, at time: Double) -> MotionDecision {
        decide(GreyThumbnail(image), at: time)
    }

    /// ``decide(_:at:)`` on a thumbnail already made.
    mutating func decide(_ thumbnail: GreyThumbnail, at time: Double) -> MotionDecision {
        let decision: MotionDecision
        if let reference, reference.hasSameGrid(as: thumbnail) {
            let elapsed = time - referenceTime
            if !(elapsed >= 0 && elapsed < settings.refreshSeconds) {
                decision = .refresh
            } else {
                let difference = thumbnail.difference(from: reference, cellThreshold: Float(settings.cellDelta))
                decision = difference.changedFraction >= settings.threshold ? .motion : .still
            }
        } else {
            decision = .noReference
        }
        if decision.infers {
            reference = thumbnail
            referenceTime = time
        }
        return decision
    }
}
