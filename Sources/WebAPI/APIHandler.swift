import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket

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
    /// A response is being written (a parse error then cannot get its own answer).
    private var responding = false

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
        // A refused or malformed WebSocket upgrade: NIO passes the request on as a plain one, which is answered
        // (401, 404, 426…).
        if error is NIOWebSocketUpgradeError { return }
        logger.debug("HTTP connection failed", metadata: ["error": "\(error)"])
        if error is HTTPParserError, !responding {
            // A malformed request: say so (as JSON, like every error) and close; the parser cannot go on.
            write(APIResponse.error(.badRequest, "malformed HTTP request"), for: nil, keepAlive: false, context: context)
            return
        }
        context.close(promise: nil)
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let credentials = APIRouter.Credentials(headers: head.headers)
        let response = router.respond(method: head.method, target: head.uri, credentials: credentials)
        // Only the path: the query may hold the token.
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        logger.trace(
            "HTTP request", metadata: ["method": "\(head.method.rawValue)", "path": "\(path.prefix(256))", "status": "\(response.status.code)"])
        write(response, for: head, keepAlive: head.isKeepAlive, context: context)
    }

    /// Writes `response` to the request `head` (nil: to a request that could not be parsed), then waits for the
    /// next request or closes.
    private func write(_ response: APIResponse, for head: HTTPRequestHead?, keepAlive: Bool, context: ChannelHandlerContext) {
        responding = true
        var headers = HTTPHeaders()
        for (name, value) in response.headers + SecurityHeaders.all { headers.add(name: name, value: value) }
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let version = head.map { $0.version.major == 1 ? $0.version : .http1_1 } ?? .http1_1
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        if head?.method != .HEAD, !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        let channel = context.channel
        let connectionGuard = connectionGuard
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { result in
            self.responding = false
            guard case .success = result, keepAlive else {
                channel.close(promise: nil)
                return
            }
            connectionGuard.responseCompleted()
        }
    }
}
