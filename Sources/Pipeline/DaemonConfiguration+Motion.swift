/// `motion`, `motion_threshold`, `motion_cell_delta` and `motion_refresh`: a stream's motion gating (``MotionSettings``).
extension DaemonConfiguration {
    /// Reads the stream's motion keys into `stream`. The `motion_*` keys are validated whether or not `motion` is
    /// true (a typo is an error either way), and apply only when it is.
    static func readMotion(_ s: inout TableReader, into stream: inout StreamConfiguration) throws {
        let enabled = try s.bool("motion") ?? false
        var settings = MotionSettings()
        settings.threshold = try s.double("motion_threshold", default: settings.threshold, range: 0...1)
        guard settings.threshold > 0 else {
            throw s.error("motion_threshold", "must be above 0 (a fraction of the thumbnail's cells) and at most 1, got 0.0")
        }
        settings.cellDelta = try s.int("motion_cell_delta", default: settings.cellDelta, range: MotionSettings.cellDeltaRange)
        settings.refreshSeconds = try s.double("motion_refresh", default: settings.refreshSeconds, range: MotionSettings.refreshRange)
        stream.motion = enabled ? settings : nil
    }
}
