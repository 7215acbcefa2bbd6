import NIOCore

/// First handler of every connection, below the HTTP codec: bounds what a client may send and how long it may take.
///
/// - Before each request head (from the connection, or from the end of the previous response on a keep-alive
///   connection): the head must arrive within `requestTimeout` (else `408`, or a silent close when the client sent
///   nothing: an idle keep-alive connection) and the request must stay within `maxRequestBytes` (else `431` for the
///   head, `413` once the head was read).
/// - While answering: the response has `requestTimeout` to be written.
/// - After a WebSocket upgrade: only the feed's rule is left: once a client sends the first byte of its first
///   message, the message must be complete within the feed's subscription timeout (else ``SubscriptionTimedOut``
///   goes up the pipeline to the feed handler).
///
/// Rejections are written straight to the socket, then the output is shut down and the connection closes at the
/// latest `lingerTime` later, so the client can read the answer instead of being reset.
final class HTTPConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// The event sent up the pipeline when a feed client's first message stalls.
    struct SubscriptionTimedOut {}

    private enum State {
        /// Waiting for a request head; `received` bytes of it so far.
        case awaitingHead(received: Int)
        /// The head was read; the answer is being made or written. `received` counts the request's bytes.
        case answering(received: Int)
        /// A WebSocket: `firstMessage` is false once the client's first frame arrived.
        case upgraded(waitingForFirstMessage: Bool)
        case rejected
    }

    private let limits: HTTPServerLimits
    private let lingerTime: TimeAmount
    private var state = State.awaitingHead(received: 0)
    private var deadline: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(limits: HTTPServerLimits, lingerTime: TimeAmount = .seconds(1)) {
        self.limits = limits
        self.lingerTime = lingerTime
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelDeadline()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        schedule(in: TimeAmount(limits.requestTimeout))
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelDeadline()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let count = unwrapInboundIn(data).readableBytes
        switch state {
        case .rejected:
            return
        case let .awaitingHead(received):
            guard count <= limits.maxRequestBytes - received else { return reject(with: RawHTTPResponse.headTooLarge) }
            state = .awaitingHead(received: received + count)
        case let .answering(received):
            guard count <= limits.maxRequestBytes - received else { return reject(with: RawHTTPResponse.bodyTooLarge) }
            state = .answering(received: received + count)
        case .upgraded(waitingForFirstMessage: true):
            if deadline == nil, count > 0 { scheduleSubscriptionDeadline() }
        case .upgraded(waitingForFirstMessage: false):
            break
        }
        context.fireChannelRead(data)
    }

    /// The HTTP handler read a complete request head: from now on the answer has `requestTimeout` to be written.
    func headReceived() {
        guard case let .awaitingHead(received) = state else { return }
        state = .answering(received: received)
        schedule(in: TimeAmount(limits.requestTimeout))
    }

    /// The answer was written on a keep-alive connection: wait for the next head.
    func responseCompleted() {
        guard case .answering = state else { return }
        state = .awaitingHead(received: 0)
        schedule(in: TimeAmount(limits.requestTimeout))
    }

    /// The connection became a WebSocket whose first message must complete within `subscriptionTimeout`.
    func upgraded(subscriptionTimeout: Duration) {
        cancelDeadline()
        state = .upgraded(waitingForFirstMessage: true)
        self.subscriptionTimeout = subscriptionTimeout
    }

    /// The feed handler got the client's first complete frame.
    func firstMessageReceived() {
        guard case .upgraded(waitingForFirstMessage: true) = state else { return }
        state = .upgraded(waitingForFirstMessage: false)
        cancelDeadline()
    }

    private var subscriptionTimeout = Duration.seconds(10)

    private func scheduleSubscriptionDeadline() {
        guard let context else { return }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(subscriptionTimeout)) {
            self.deadline = nil
            guard case .upgraded(waitingForFirstMessage: true) = self.state else { return }
            self.state = .upgraded(waitingForFirstMessage: false)
            self.context?.fireUserInboundEventTriggered(SubscriptionTimedOut())
        }
    }

    private func schedule(in delay: TimeAmount) {
        cancelDeadline()
        guard let context else { return }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.deadline = nil
            self.timedOut()
        }
    }

    private func cancelDeadline() {
        deadline?.cancel()
        deadline = nil
    }

    private func timedOut() {
        switch state {
        case .awaitingHead(received: 0), .answering, .rejected:
            // An idle keep-alive connection, an answer the client does not read, or the end of a rejection's linger.
            context?.close(promise: nil)
        case .awaitingHead:
            reject(with: RawHTTPResponse.requestTimeout)
        case .upgraded:
            break
        }
    }

    /// Writes `response` directly to the socket, shuts down the output, and closes within `lingerTime`.
    private func reject(with response: [UInt8]) {
        guard let context else { return }
        if case .rejected = state { return }
        state = .rejected
        schedule(in: lingerTime)
        let channel = context.channel
        let buffer = channel.allocator.buffer(bytes: response)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer))).whenComplete { result in
            guard case .success = result else {
                channel.close(promise: nil)
                return
            }
            channel.close(mode: .output, promise: nil)
        }
    }
}
