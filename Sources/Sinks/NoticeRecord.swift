/// A `notice` record: an informational message, e.g. `{"kind":"notice","reason":"shutdown","v":1}`.
public struct NoticeRecord: Sendable, Hashable, Encodable {
    /// Why the notice was sent (`"reason"`).
    public var reason: String

    /// Creates a notice.
    public init(reason: String) { self.reason = reason }

    private enum CodingKeys: String, CodingKey { case reason }

    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeEnvelope(kind: .notice)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(reason, forKey: .reason)
    }
}
