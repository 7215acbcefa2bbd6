import Logging
import NIOCore
import NIOPosix

/// Serves JSON Lines on a Unix domain socket to any number of subscribers (SwiftNIO).
///
/// - Subscribing: clients connect and receive newline-delimited JSON. A client may first send one
///   `Subscription` line; it gets `{"kind":"notice","reason":"subscribed","v":1}` back, or
///   `{"kind":"error","reason":"malformed subscription: …","v":1}` and a close (also for a line over 64 KiB, one not
///   completed within `subscriptionTimeout`, or any input after the line but a little whitespace).
/// - Never blocking: `publish(_:)` only hands the line to each subscriber's event loop. A subscriber whose
///   unsent lines exceed `maxQueuedLines` or `maxQueuedBytes` gets
///   `{"kind":"notice","reason":"slow consumer, disconnected","v":1}` as its last line and is closed.
/// - Bounded: at most `maxSubscribers` connections; past that, or while the process is within
///   `descriptorReserve` descriptors of its limit, a client gets `{"kind":"notice","reason":"too many
///   subscribers","v":1}` (or `"too many open files"`) and is closed.
/// - Socket file: bound in a fresh private (0700) directory beside the path, given `mode`/`group` there, then
///   renamed into place, so no other user can ever connect to it with looser permissions, whatever the umask. A
///   stale socket left by a crash is replaced; a live one is not stolen.
/// - `close()` sends `{"kind":"notice","reason":"shutdown","v":1}` to everyone, closes, and removes the
///   socket file.
public final class UnixSocketPublisher: Sink {
    /// The validated configuration.
    public let configuration: PublisherConfiguration
    private let serverChannel: any Channel
    private let registry: SubscriberRegistry<SubscriberHandler>
    private let limit: ConnectionLimit
    private let control: ControlLines
    private let socketIdentity: SocketFile.Identity?
    private let logger: Logger

    private init(
        configuration: PublisherConfiguration, serverChannel: any Channel, registry: SubscriberRegistry<SubscriberHandler>, limit: ConnectionLimit,
        control: ControlLines, socketIdentity: SocketFile.Identity?, logger: Logger
    ) {
        self.configuration = configuration
        self.serverChannel = serverChannel
        self.registry = registry
        self.limit = limit
        self.control = control
        self.socketIdentity = socketIdentity
        self.logger = logger
    }

    /// Binds the socket and starts accepting subscribers.
    /// - Parameters:
    ///   - configuration: path, permissions and limits; validated here.
    ///   - eventLoopGroup: where connections are served.
    ///   - logger: receives connection events (debug), slow consumers and refusals (warning) and bind problems.
    /// - Throws: `SinksError`: `.socketInUse` when another process serves on the path, `.notASocket` when
    ///   the path is another kind of file, `.unknownGroup`, `.invalidConfiguration`, or `.systemCall` for a
    ///   failed mkdtemp/bind/chmod/chown/rename.
    public static func bind(
        configuration: PublisherConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws(SinksError) -> UnixSocketPublisher {
        try configuration.validate()
        let path = configuration.path
        try SocketFile.clearStale(at: path)
        let privateDirectory = try SocketFile.makePrivateDirectory(beside: path)
        defer { SocketFile.removeDirectory(privateDirectory) }
        let temporaryPath = privateDirectory + "/" + SocketFile.stagingName

        let registry = SubscriberRegistry<SubscriberHandler>()
        let limit = ConnectionLimit(maximum: configuration.maxSubscribers, descriptorReserve: configuration.descriptorReserve)
        let control = ControlLines()
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let refusal = limit.admit() {
                            if ConnectionLimit.shouldLog(refusal: limit.refused) {
                                logger.warning(
                                    "subscriber refused", metadata: ["reason": "\(refusal)", "refusedSoFar": "\(limit.refused)"])
                            }
                            let linger: TimeAmount = if case .descriptorReserve = refusal { .zero } else { .seconds(1) }
                            try channel.pipeline.syncOperations.addHandler(RefusingHandler(response: control.refusal(refusal), linger: linger))
                            return
                        }
                        channel.closeFuture.whenComplete { _ in limit.release() }
                        let handler = SubscriberHandler(
                            id: registry.makeID(), configuration: configuration, registry: registry, control: control, logger: logger)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .bind(unixDomainSocketPath: temporaryPath)
                .get()
        } catch {
            SocketFile.removeIfPresent(temporaryPath)
            throw .systemCall("bind", path: temporaryPath, errno: (error as? IOError)?.errnoCode ?? EIO)
        }
        do {
            try SocketFile.applyPermissions(path: temporaryPath, mode: configuration.mode, group: configuration.group)
            try SocketFile.move(temporaryPath, to: path)
        } catch {
            try? await channel.close()
            SocketFile.removeIfPresent(temporaryPath)
            throw error
        }
        logger.info("serving subscribers", metadata: ["socket": "\(path)", "mode": "0o\(String(configuration.mode, radix: 8))"])
        return UnixSocketPublisher(
            configuration: configuration, serverChannel: channel, registry: registry, limit: limit, control: control,
            socketIdentity: SocketFile.identity(of: path), logger: logger)
    }

    /// Open subscriber connections, including those still taking their final line (for metrics and tests).
    public var connectionCount: Int { limit.current }

    /// Connections refused so far because of `maxSubscribers` or the descriptor reserve (for metrics).
    public var refusedConnections: Int { limit.refused }

    /// Number of subscribers currently receiving lines (for metrics).
    public var subscriberCount: Int { registry.count }

    /// Subscribers disconnected so far for reading too slowly (for metrics).
    public var slowConsumerDisconnects: Int { registry.slowDisconnects }

    /// Hands `line` to every subscriber whose subscription matches its metadata. Never blocks and never waits
    /// for a client.
    public func publish(_ line: JSONLine) {
        guard registry.count > 0 else { return }
        registry.publish(ByteBuffer(bytes: line.bytes), metadata: line.metadata)
    }

    /// Same as `publish(_:)`.
    public func write(_ line: JSONLine) async {
        publish(line)
    }

    /// Nothing to do: lines are handed to the kernel as fast as each client reads them.
    public func flush() async {}

    /// Stops accepting, sends the shutdown notice to every subscriber, waits until each connection is closed
    /// (at most `closeGracePeriod` per slow one), and removes the socket file. Idempotent.
    public func close() async {
        let entries = registry.stopAccepting()
        try? await serverChannel.close()
        var closures: [EventLoopFuture<Void>] = []
        for entry in entries {
            let handler = entry.handler
            let shutdown = control.shutdown
            let closed = entry.eventLoop.flatSubmit {
                handler.value.finish(with: shutdown) ?? entry.eventLoop.makeSucceededVoidFuture()
            }
            closures.append(closed)
        }
        for closed in closures { try? await closed.get() }
        SocketFile.remove(configuration.path, ifIdentity: socketIdentity)
        logger.info("stopped serving subscribers", metadata: ["socket": "\(configuration.path)", "subscribers": "\(entries.count)"])
    }
}
