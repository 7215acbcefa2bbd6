/// A label with the score it was seen with.
public struct ScoredLabel: Sendable, Hashable {
    /// Class label, e.g. `"person"`.
    public var label: String
    /// Detector score in [0, 1].
    public var score: Double

    /// Creates a scored label.
    public init(label: String, score: Double) {
        self.label = label
        self.score = score
    }
}

/// What a subscriber's filter looks at, kept next to an encoded line so it never has to be parsed again.
public struct RecordMetadata: Sendable, Hashable {
    /// The record's kind.
    public var kind: RecordKind
    /// The stream it belongs to, or `nil` for records not tied to a stream (notices).
    public var stream: String?
    /// For frames, one entry per detection; for tracks, the track's label and best score; otherwise empty.
    public var labels: [ScoredLabel]

    /// Creates metadata.
    public init(kind: RecordKind, stream: String?, labels: [ScoredLabel]) {
        self.kind = kind
        self.stream = stream
        self.labels = labels
    }
}
