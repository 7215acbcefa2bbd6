import Sinks

/// The filters of `GET /api/v1/events?stream=&kind=&since=&limit=`.
public struct EventQuery: Sendable, Equatable {
    /// Only this stream's records; nil for every stream.
    public var stream: String?
    /// Only `track` or only `event` records; nil for both.
    public var kind: RecordKind?
    /// Only records whose `time` is later than this (seconds since the Unix epoch); nil for any.
    public var since: Double?
    /// At most this many records (1 … ``maximumLimit``; default ``defaultLimit``).
    public var limit: Int

    /// `limit` when the query names none.
    public static let defaultLimit = 100
    /// The largest `limit` accepted.
    public static let maximumLimit = 1000
    /// The kinds the events endpoint serves.
    public static let kinds: Set<RecordKind> = [.track, .event]

    public init(stream: String? = nil, kind: RecordKind? = nil, since: Double? = nil, limit: Int = EventQuery.defaultLimit) {
        self.stream = stream
        self.kind = kind
        self.since = since
        self.limit = limit
    }
}
