import NIOCore

/// The lines a feed itself sends to its subscribers, encoded once (each ends with `\n`): the Unix socket and the
/// WebSocket feed (`WebAPI`) speak the same protocol.
public struct ControlLines: Sendable {
    /// `{"kind":"notice","reason":"subscribed","v":1}`: the subscription line was accepted.
    public let subscribed: ByteBuffer
    /// `{"kind":"notice","reason":"slow consumer, disconnected","v":1}`.
    public let slowConsumer: ByteBuffer
    /// `{"kind":"notice","reason":"shutdown","v":1}`.
    public let shutdown: ByteBuffer
    /// `{"kind":"notice","reason":"too many subscribers","v":1}`: refused, `maxSubscribers` are connected.
    public let tooManySubscribers: ByteBuffer
    /// `{"kind":"notice","reason":"too many open files","v":1}`: refused, the descriptor reserve is reached.
    public let tooManyOpenFiles: ByteBuffer

    /// Encodes the notices once.
    public init() {
        subscribed = Self.notice("subscribed")
        slowConsumer = Self.notice("slow consumer, disconnected")
        shutdown = Self.notice("shutdown")
        tooManySubscribers = Self.notice("too many subscribers")
        tooManyOpenFiles = Self.notice("too many open files")
    }

    /// The notice for a refused connection.
    public func refusal(_ refusal: ConnectionLimit.Refusal) -> ByteBuffer {
        switch refusal {
        case .tooManyConnections: tooManySubscribers
        case .descriptorReserve: tooManyOpenFiles
        }
    }

    /// `{"kind":"error","reason":…,"v":1}` for a rejected subscription or a protocol violation.
    public static func error(_ reason: String) -> ByteBuffer {
        let metadata = RecordMetadata(kind: .notice, stream: nil, labels: [])
        // Encoding a string and two constants cannot fail; fall back to a fixed line just in case.
        let line = try? JSONLineEncoder().encode(ErrorLine(reason: reason), metadata: metadata)
        return ByteBuffer(bytes: line?.bytes ?? Array(#"{"kind":"error","reason":"malformed subscription","v":1}"#.utf8) + [10])
    }

    private static func notice(_ reason: String) -> ByteBuffer {
        let line = try? JSONLineEncoder().encode(.notice(NoticeRecord(reason: reason)))
        return ByteBuffer(bytes: line?.bytes ?? [])
    }

    private struct ErrorLine: Encodable {
        let reason: String
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(Record.schemaVersion, forKey: .v)
            try container.encode("error", forKey: .kind)
            try container.encode(reason, forKey: .reason)
        }
        enum Key: String, CodingKey { case v, kind, reason }
    }
}
