import Logging
import NIOCore
import NIOHTTP1

/// Answers the HTTP requests of one connection (above NIO's HTTP codec): reads a request, asks the ``APIRouter``,
/// writes the answer with the security headers, and keeps the connection open for the next request when the client
/// allows it. Request bodies are read and ignored (every endpoint is GET); ``HTTPConnectionGuard`` bounds them.
final class APIHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The handler's name in the pipeline (the WebSocket upgrade removes it by name).
    static let name = "ssdd-api"

    private let router: APIRouter
    private let connectionGuard: HTTPConnectionGuard
    private let logger: Logger
    private var request: HTTPRequestHead?

    init(router: APIRouter, connectionGuard: HTTPConnectionGuard, logger: Logger) {
        self.router = router
        self.connectionGuard = connectionGuard
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            request = head
            connectionGuard.headReceived()
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            answer(head, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // NIO's protocol error handler in front has answered a malformed request with 400 by now.
        logger.debug("HTTP connection failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let credentials = APIRouter.Credentials(authorization: head.headers["Authorization"])
        let response = router.respond(method: head.method, target: head.uri, credentials: credentials)
        // Only the path: the query may hold the token.
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        logger.trace(
            "HTTP request", metadata: ["method": "\(head.method.rawValue)", "path": "\(path.prefix(256))", "status": "\(response.status.code)"])
        let keepAlive = head.isKeepAlive
        var headers = HTTPHeaders()
        for (name, value) in response.headers + SecurityHeaders.all { headers.add(name: name, value: value) }
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let version = head.version.major == 1 ? head.version : .http1_1
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        if head.method != .HEAD, !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        let channel = context.channel
        let connectionGuard = connectionGuard
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { result in
            guard case .success = result, keepAlive else {
                channel.close(promise: nil)
                return
            }
            connectionGuard.responseCompleted()
        }
    }
}
