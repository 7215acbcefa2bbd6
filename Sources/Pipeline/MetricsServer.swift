import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Sinks

/// Serves `GET /metrics` (Prometheus text format 0.0.4) on a local TCP address with SwiftNIO.
///
/// Bounded against idle, slow and hostile clients (`MetricsServerLimits`): at most `maxConnections` at once and
/// none within `descriptorReserve` of the descriptor limit (`503`), the request head within `requestTimeout`
/// (`408`) and `maxRequestBytes` (`431`), one request per connection, `GET` only (`405`), `/metrics` only (`404`),
/// malformed requests `400`.
final class MetricsServer: Sendable {
    private let channel: any Channel
    private let limit: ConnectionLimit

    private init(channel: any Channel, limit: ConnectionLimit) {
        self.channel = channel
        self.limit = limit
    }

    /// Binds `host:port` and starts serving `render()` on every request to `/metrics`.
    static func start(
        host: String, port: Int, limits: MetricsServerLimits = MetricsServerLimits(), logger: Logger,
        render: @escaping @Sendable () -> String
    ) async throws -> MetricsServer {
        try limits.validate(file: "metrics server")
        let limit = ConnectionLimit(maximum: limits.maxConnections, descriptorReserve: limits.descriptorReserve)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let refusal = limit.admit() {
                        if ConnectionLimit.shouldLog(refusal: limit.refused) {
                            logger.warning("metrics connection refused", metadata: ["reason": "\(refusal)", "refusedSoFar": "\(limit.refused)"])
                        }
                        let linger: TimeAmount = if case .descriptorReserve = refusal { .zero } else { .seconds(1) }
                        try pipeline.addHandler(RefusingHandler(response: PlainHTTPResponse.serviceUnavailable, linger: linger))
                        return
                    }
                    channel.closeFuture.whenComplete { _ in limit.release() }
                    try pipeline.addHandler(MetricsConnectionGuard(limits: limits))
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                    try pipeline.addHandler(MetricsHandler(render: render))
                }
            }
            .bind(host: host, port: port).get()
        logger.info("metrics listening", metadata: ["address": "\(host):\(channel.localAddress?.port ?? port)"])
        return MetricsServer(channel: channel, limit: limit)
    }

    /// The port actually bound (useful with port 0).
    var port: Int? { channel.localAddress?.port }

    /// Open connections holding a slot.
    var connectionCount: Int { limit.current }

    /// Connections refused so far (too many, or the descriptor reserve).
    var refusedConnections: Int { limit.refused }

    func stop() async { try? await channel.close() }
}

/// Answers the connection's first request with the metrics text, `404` for other paths or `405` for other
/// methods, then closes the connection. Closes it after a malformed request too (NIO's protocol error handler in
/// front has answered `400` by then).
private final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let render: @Sendable () -> String
    private var answered = false

    init(render: @escaping @Sendable () -> String) { self.render = render }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered, case .head(let request) = unwrapInboundIn(data) else { return }
        answered = true
        let isMetricsPath = request.uri == "/metrics" || request.uri.hasPrefix("/metrics?")
        let status: HTTPResponseStatus = request.method != .GET ? .methodNotAllowed : isMetricsPath ? .ok : .notFound
        let body: String
        var headers = HTTPHeaders()
        switch status {
        case .ok:
            body = render()
            headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        case .methodNotAllowed:
            body = "method not allowed; use GET /metrics\n"
            headers.add(name: "Content-Type", value: "text/plain")
            headers.add(name: "Allow", value: "GET")
        default:
            body = "not found; try /metrics\n"
            headers.add(name: "Content-Type", value: "text/plain")
        }
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: "close")
        let version = request.version.major == 1 ? request.version : .http1_1
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
