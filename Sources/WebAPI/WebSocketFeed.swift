import Logging
import NIOCore
import NIOWebSocket
import Sinks

/// A `Sink` that fans every record line out to the WebSocket clients of `GET /api/v1/feed`.
///
/// The protocol is the Unix socket's (`UnixSocketPublisher`), one text message per line (without its `\n`): the
/// client may send one `Subscription` JSON as its first text message and gets a `subscribed` notice, or an `error`
/// line and a close frame; until then it receives everything. A client whose unsent lines exceed
/// `maxQueuedLines`/`maxQueuedBytes` gets `{"kind":"notice","reason":"slow consumer, disconnected","v":1}` and a close
/// frame; one beyond `maxClients` gets `{"kind":"notice","reason":"too many subscribers","v":1}`. `close()` sends
/// `{"kind":"notice","reason":"shutdown","v":1}` to everyone.
///
/// Never blocks: `write(_:)` only hands the line to each client's event loop.
public final class WebSocketFeed: Sink {
    /// The validated limits.
    public let limits: FeedLimits
    let registry = SubscriberRegistry<FeedClientHandler>()
    let admission: ConnectionLimit
    let control = ControlLines()
    let logger: Logger

    /// - Parameters:
    ///   - limits: bounds of the feed; invalid values are replaced by the defaults (validate them first:
    ///     `FeedLimits.validate()` names the key).
    ///   - logger: receives client events (debug), slow consumers and refusals (warning).
    public init(limits: FeedLimits = FeedLimits(), logger: Logger) {
        let valid = (try? limits.validate()) != nil
        let checked = valid ? limits : FeedLimits()
        self.limits = checked
        // Descriptors are the listener's business (`http.descriptor_reserve`); this only counts clients.
        admission = ConnectionLimit(maximum: checked.maxClients, descriptorReserve: 0)
        self.logger = logger
    }

    /// Clients receiving lines (for metrics and tests).
    public var clientCount: Int { registry.count }

    /// Clients cut off so far for reading too slowly (for metrics).
    public var slowConsumerDisconnects: Int { registry.slowDisconnects }

    /// Clients refused so far because `maxClients` were connected (for metrics).
    public var refusedClients: Int { admission.refused }

    /// Hands `line` to every client whose subscription matches it. Never blocks and never waits for a client.
    public func publish(_ line: JSONLine) {
        guard registry.count > 0 else { return }
        registry.publish(ByteBuffer(bytes: line.payload), metadata: line.metadata)
    }

    /// Same as `publish(_:)`.
    public func write(_ line: JSONLine) async {
        publish(line)
    }

    /// Nothing to do: lines go to each client as fast as it reads them.
    public func flush() async {}

    /// Refuses new clients, sends the shutdown notice and a close frame to every client (after the lines it has
    /// queued), and waits until each connection is closed (at most `closeGracePeriod` per slow one). Idempotent.
    public func close() async {
        let entries = registry.stopAccepting()
        var closures: [EventLoopFuture<Void>] = []
        for entry in entries {
            let handler = entry.handler
            let shutdown = control.shutdown
            let closed = entry.eventLoop.flatSubmit {
                handler.value.finish(with: shutdown, reason: .goingAway) ?? entry.eventLoop.makeSucceededVoidFuture()
            }
            closures.append(closed)
        }
        for closed in closures { try? await closed.get() }
        if !entries.isEmpty { logger.info("WebSocket feed closed", metadata: ["clients": "\(entries.count)"]) }
    }
}
