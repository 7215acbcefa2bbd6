/// A `stream` record: a stream changed state.
///
/// ```json
/// {"kind":"stream","message":"connection refused","state":"reconnecting","stream":"cam3","time":1767225600.25,"v":1}
/// ```
public struct StreamRecord: Sendable, Hashable, Encodable {
    /// The states a stream reports.
    public enum State: String, Sendable, Hashable, Codable {
        /// The source opened and frames flow.
        case connected
        /// The source failed or stalled.
        case lost
        /// A reconnect attempt is scheduled or running.
        case reconnecting
        /// The source reached its end (files) or the daemon is stopping.
        case ended
    }

    /// Why a stream ended when it was not its own doing (`"reason"`, omitted otherwise).
    public enum Reason: String, Sendable, Hashable, Codable {
        /// A configuration reload (SIGHUP) removed or changed the stream.
        case reload
    }

    /// Stream name (`"stream"`).
    public var stream: String
    /// New state (`"state"`).
    public var state: State
    /// Wall-clock time of the change, seconds since the Unix epoch (`"time"`).
    public var time: Double
    /// Human-readable detail such as the error, or `nil` (field omitted) (`"message"`).
    public var message: String?
    /// Why the stream ended, when a reload ended it (`"reason": "reload"`); `nil` (field omitted) otherwise.
    public var reason: Reason?

    /// Creates a stream record.
    public init(stream: String, state: State, time: Double, message: String? = nil, reason: Reason? = nil) {
        self.stream = stream
        self.state = state
        self.time = time
        self.message = message
        self.reason = reason
    }

    private enum CodingKeys: String, CodingKey { case stream, state, time, message, reason }

    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeEnvelope(kind: .stream)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stream, forKey: .stream)
        try container.encode(state, forKey: .state)
        try container.encode(time, forKey: .time)
        try container.encodeIfPresent(message, forKey: .message)
        try container.encodeIfPresent(reason, forKey: .reason)
    }
}
