/// One output record: a single JSON object on its own line.
///
/// Every record carries `"v"` (the schema version, `Record.schemaVersion`) and `"kind"` (`RecordKind`). Field
/// names and meanings per kind are documented on `FrameRecord`, `TrackRecord`, `StreamRecord` and
/// `EventRecord` and `NoticeRecord`. Times (`"time"`) are wall-clock seconds since the Unix epoch; `"pts"` values are the
/// stream's presentation times in seconds.
public enum Record: Sendable, Hashable, Encodable {
    /// The version written in every record's `"v"` field. Bumped when a field changes meaning or is removed;
    /// adding a field does not bump it.
    public static let schemaVersion = 1

    /// A processed frame.
    case frame(FrameRecord)
    /// A track start or end.
    case track(TrackRecord)
    /// A stream state change.
    case stream(StreamRecord)
    /// A zone or line event.
    case event(EventRecord)
    /// A notice.
    case notice(NoticeRecord)

    /// The record's kind.
    public var kind: RecordKind {
        switch self {
        case .frame: .frame
        case .track: .track
        case .stream: .stream
        case .event: .event
        case .notice: .notice
        }
    }

    /// What subscribers filter on: kind, stream, and the labels with their scores.
    public var metadata: RecordMetadata {
        switch self {
        case let .frame(frame):
            RecordMetadata(kind: .frame, stream: frame.stream, labels: frame.detections.map { ScoredLabel(label: $0.label, score: $0.score) })
        case let .track(track):
            RecordMetadata(kind: .track, stream: track.stream, labels: [ScoredLabel(label: track.label, score: track.bestScore)])
        case let .stream(stream):
            RecordMetadata(kind: .stream, stream: stream.stream, labels: [])
        case let .event(event):
            RecordMetadata(kind: .event, stream: event.stream, labels: [ScoredLabel(label: event.label, score: 1)])
        case .notice:
            RecordMetadata(kind: .notice, stream: nil, labels: [])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case let .frame(record): try record.encode(to: encoder)
        case let .track(record): try record.encode(to: encoder)
        case let .stream(record): try record.encode(to: encoder)
        case let .event(record): try record.encode(to: encoder)
        case let .notice(record): try record.encode(to: encoder)
        }
    }
}

/// Coding keys shared by all records.
enum RecordEnvelopeKey: String, CodingKey {
    case version = "v"
    case kind
}

extension Encoder {
    /// Writes the `"v"` and `"kind"` fields every record starts with.
    func encodeEnvelope(kind: RecordKind) throws {
        var container = container(keyedBy: RecordEnvelopeKey.self)
        try container.encode(Record.schemaVersion, forKey: .version)
        try container.encode(kind, forKey: .kind)
    }
}
