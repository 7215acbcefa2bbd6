/// A stream's motion gating (`motion = true` and the `motion_*` keys of `[[streams]]`; `ssdd detect --motion`).
///
/// Each decoded frame is reduced to a 64 × 48 grey thumbnail (`Imaging.GreyThumbnail`) and compared with the thumbnail
/// of the last frame sent to the detector. A frame goes to the detector when at least `threshold` of the cells changed
/// by more than `cellDelta` grey levels, when `refreshSeconds` of stream time passed since the last inferred frame, or
/// when the gate has nothing to compare with (the first frame after a (re)connect, a new frame size). Every other
/// frame is *gated*: it costs no worker time, reuses the stream's last detections for the tracker (tracks stay alive,
/// their ages advance) and its records carry `"inferred": false`.
public struct MotionSettings: Sendable, Equatable {
    /// Fraction of the thumbnail's cells that must change for a frame to be inferred (`motion_threshold`, default
    /// 0.004: about 12 of the 3,072 cells, a person of 60 × 150 pixels in a 640 × 480 frame moving by a fifth of
    /// its width).
    public var threshold: Double
    /// Grey levels (0…255) a cell's mean luma must move by to count as changed (`motion_cell_delta`, default 8: well
    /// above the sensor and compression noise left in a cell's mean).
    public var cellDelta: Int
    /// The detector runs at least once every this many seconds of stream time, motion or not (`motion_refresh`,
    /// default 2): a stationary object is re-confirmed, and a change too slow for the threshold is caught.
    public var refreshSeconds: Double

    /// The accepted values of `motion_cell_delta` and `motion_refresh`; `motion_threshold` must be above 0 and at
    /// most 1.
    public static let cellDeltaRange: ClosedRange<Int> = 1...254
    public static let refreshRange: ClosedRange<Double> = 0.1...3600

    public init(threshold: Double = 0.004, cellDelta: Int = 8, refreshSeconds: Double = 2) {
        self.threshold = threshold
        self.cellDelta = cellDelta
        self.refreshSeconds = refreshSeconds
    }
}
