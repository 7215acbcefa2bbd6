import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Sinks

/// The HTTP API, the live page, the WebSocket feed and `/metrics` on one TCP listener (SwiftNIO).
///
/// Endpoints: `GET /healthz`, `GET /` (the page), `GET /api/v1/openapi.json`, `/api/v1/streams`,
/// `/api/v1/streams/{name}`, `/api/v1/streams/{name}/latest.jpg`, `/api/v1/events`, `/api/v1/config`, `/metrics`, and
/// `/api/v1/feed` (WebSocket); the OpenAPI document (`Resources/openapi.json`) describes each. HEAD works wherever GET
/// does. With `token_file`, every request but `/healthz` and `/` needs the token (`Authorization: Bearer …` or
/// `?access_token=…`), compared in constant time and never logged.
///
/// Bounded against idle, slow and hostile clients by `HTTPServerLimits` (`503`, `408`, `431`/`413`) and the feed by
/// `FeedLimits`; keep-alive is supported, pipelined requests are answered one after the other.
public final class HTTPServer: Sendable {
    private let channel: any Channel
    private let tokens: TokenStore
    private let feed: WebSocketFeed
    private let connections: ConnectionSet
    private let limit: ConnectionLimit
    private let logger: Logger

    private init(channel: any Channel, tokens: TokenStore, feed: WebSocketFeed, connections: ConnectionSet, limit: ConnectionLimit, logger: Logger) {
        self.channel = channel
        self.tokens = tokens
        self.feed = feed
        self.connections = connections
        self.limit = limit
        self.logger = logger
    }

    /// Reads the token file (first line), binds `host:port`, and serves `state` and `feed`.
    /// - Throws: `WebAPIError`: `.tokenFile` (naming `http.token_file`) when the file is missing, unreadable, empty or
    ///   absurd; `.invalidConfiguration` for a limit out of range; `.cannotListen` when the address cannot be bound.
    public static func start(
        configuration: HTTPConfiguration, state: any APIState, feed: WebSocketFeed, logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> HTTPServer {
        try configuration.validate()
        let tokens = try TokenStore(path: configuration.tokenFile)
        let limits = configuration.limits
        let limit = ConnectionLimit(maximum: limits.maxConnections, descriptorReserve: limits.descriptorReserve)
        let connections = ConnectionSet()
        let router = APIRouter(state: state, tokens: tokens)
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelOption(
                    ChannelOptions.writeBufferWaterMark, value: ChannelOptions.Types.WriteBufferWaterMark(low: 32 * 1024, high: 64 * 1024)
                )
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try Self.configure(
                            channel, router: router, feed: feed, limits: limits, limit: limit, connections: connections, logger: logger)
                    }
                }
                .bind(host: configuration.host, port: configuration.port).get()
        } catch {
            throw WebAPIError.cannotListen(address: "\(configuration.host):\(configuration.port)", underlying: error)
        }
        let port = channel.localAddress?.port ?? configuration.port
        logger.info(
            "HTTP API listening",
            metadata: ["address": "\(configuration.host):\(port)", "token": "\(configuration.tokenFile == nil ? "none" : "required")"])
        return HTTPServer(channel: channel, tokens: tokens, feed: feed, connections: connections, limit: limit, logger: logger)
    }

    /// The port actually bound (useful with port 0); nil once stopped.
    public var port: Int? { channel.localAddress?.port }

    /// Open connections holding a slot (for metrics and tests).
    public var connectionCount: Int { limit.current }

    /// Connections refused so far (too many, or the descriptor reserve).
    public var refusedConnections: Int { limit.refused }

    /// Reads `token_file` again (on SIGHUP reload); on error the old token stays in force.
    /// - Throws: `WebAPIError.tokenFile` naming `http.token_file`.
    public func reloadToken() throws {
        try tokens.reload()
        if tokens.path != nil { logger.info("HTTP token reloaded") }
    }

    /// Closes the listener, sends the feed's shutdown notice and close frame to every WebSocket client, and closes
    /// every other connection. Idempotent.
    public func stop() async {
        try? await channel.close()
        await feed.close()
        for connection in connections.removeAll() {
            try? await connection.close()
        }
    }

    /// The handlers of one accepted connection.
    private static func configure(
        _ channel: any Channel, router: APIRouter, feed: WebSocketFeed, limits: HTTPServerLimits, limit: ConnectionLimit,
        connections: ConnectionSet, logger: Logger
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        if let refusal = limit.admit() {
            if ConnectionLimit.shouldLog(refusal: limit.refused) {
                logger.warning("HTTP connection refused", metadata: ["reason": "\(refusal)", "refusedSoFar": "\(limit.refused)"])
            }
            let linger: TimeAmount = if case .descriptorReserve = refusal { .zero } else { .seconds(1) }
            try pipeline.addHandler(RefusingHandler(response: ByteBuffer(bytes: RawHTTPResponse.serviceUnavailable), linger: linger))
            return
        }
        let id = connections.insert(channel)
        channel.closeFuture.whenComplete { _ in
            limit.release()
            connections.remove(id)
        }
        let connectionGuard = HTTPConnectionGuard(limits: limits)
        let apiHandler = APIHandler(router: router, connectionGuard: connectionGuard, logger: logger)
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: feed.limits.maxFrameSize,
            shouldUpgrade: { channel, head in
                let allowed = router.mayUpgrade(method: head.method, target: head.uri, credentials: APIRouter.Credentials(headers: head.headers))
                // Refused upgrades go on to the API handler, which answers them (401, 403, 404, …).
                return channel.eventLoop.makeSucceededFuture(allowed ? HTTPHeaders() : nil)
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    let connectionGuard = try channel.pipeline.syncOperations.handler(type: HTTPConnectionGuard.self)
                    let handler = FeedClientHandler(id: feed.registry.makeID(), feed: feed, connectionGuard: connectionGuard, logger: logger)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            })
        try pipeline.addHandler(connectionGuard)
        try pipeline.configureHTTPServerPipeline(
            withPipeliningAssistance: true,
            withServerUpgrade: (
                upgraders: [upgrader],
                completionHandler: { context in
                    // The connection is a WebSocket now: the API handler has nothing more to read.
                    context.pipeline.syncOperations.removeHandler(name: APIHandler.name, promise: nil)
                }
            ),
            // Malformed requests are answered by the API handler (a JSON 400, like every error).
            withErrorHandling: false)
        try pipeline.addHandler(apiHandler, name: APIHandler.name)
    }
}
