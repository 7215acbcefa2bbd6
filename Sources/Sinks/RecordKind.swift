/// The kind of a record, written as its `"kind"` field.
public enum RecordKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// One processed frame with its detections (`FrameRecord`).
    case frame
    /// A track started or ended (`TrackRecord`).
    case track
    /// A stream changed state (`StreamRecord`).
    case stream
    /// A track entered, left or lingered in a zone, or crossed a line (`EventRecord`).
    case event
    /// An informational message (`NoticeRecord`), e.g. a subscriber being disconnected.
    case notice
}
