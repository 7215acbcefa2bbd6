import Logging
import NIOCore
import NIOWebSocket
import Sinks

/// One WebSocket client of the feed, after the upgrade. Lives on its channel's event loop; all its state is
/// loop-confined.
///
/// Input: at most one subscription (a complete, masked text message) as the client's first data message; pings are
/// answered, a close frame is answered and closes; binary, fragmented or unmasked input, or a second message, is a
/// protocol violation (`error` line and a close frame).
///
/// Output: lines wait in this handler's queue and go to the channel only while it is writable (NIO's write-buffer
/// watermarks), so the queue measures how far the client is behind. When it exceeds the feed's limits, the queue is
/// dropped and the `slow consumer, disconnected` notice and a close frame go out behind whatever the socket still
/// holds; the connection closes when they are written or the grace period ends.
final class FeedClientHandler: ChannelInboundHandler, LineSubscriber {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private enum State {
        /// Receiving lines.
        case streaming
        /// A final line is queued; then the close frame, then the connection closes.
        case closing(WebSocketErrorCode)
        /// The close frame is written; waiting for the client's close frame or the grace period.
        case closeSent
        case closed
    }

    let id: Int
    private let feed: WebSocketFeed
    private let connectionGuard: HTTPConnectionGuard?
    private let logger: Logger
    private var state = State.streaming
    private var admitted = false
    private var subscribed = false
    private var subscription = Subscription()
    private var queue = CircularBuffer<ByteBuffer>()
    private var queuedBytes = 0
    private var closeDeadline: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(id: Int, feed: WebSocketFeed, connectionGuard: HTTPConnectionGuard?, logger: Logger) {
        self.id = id
        self.feed = feed
        self.connectionGuard = connectionGuard
        var logger = logger
        logger[metadataKey: "feedClient"] = "\(id)"
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connectionGuard?.upgraded(subscriptionTimeout: feed.limits.subscriptionTimeout)
        if let refusal = feed.admission.admit() {
            if ConnectionLimit.shouldLog(refusal: feed.admission.refused) {
                logger.warning("feed client refused", metadata: ["reason": "\(refusal)", "refusedSoFar": "\(feed.admission.refused)"])
            }
            finish(with: feed.control.refusal(refusal), reason: .policyViolation, droppingQueue: true)
            return
        }
        admitted = true
        let entry = SubscriberRegistry<FeedClientHandler>.Entry(
            id: id, eventLoop: context.eventLoop, handler: NIOLoopBound(self, eventLoop: context.eventLoop))
        guard feed.registry.add(entry) else {
            finish(with: feed.control.shutdown, reason: .goingAway, droppingQueue: true)
            return
        }
        logger.debug("feed client connected")
    }

    func channelInactive(context: ChannelHandlerContext) {
        markClosed()
        logger.debug("feed client disconnected")
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        markClosed()
        self.context = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A vanished peer or an I/O error (NIO's WebSocket error handler has answered protocol errors): drop it.
        logger.debug("feed client connection failed", metadata: ["error": "\(error)"])
        markClosed()
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is HTTPConnectionGuard.SubscriptionTimedOut {
            reject("malformed subscription: message not completed within \(feed.limits.subscriptionTimeout)")
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        pump()
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        connectionGuard?.firstMessageReceived()
        if frame.opcode == .connectionClose {
            closeReceived(frame, context: context)
            return
        }
        guard case .streaming = state else { return }
        guard frame.maskKey != nil else { return reject("client frames must be masked (RFC 6455 §5.1)", code: .protocolError) }
        switch frame.opcode {
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            break
        case .text where !frame.fin, .continuation:
            reject("fragmented messages are not accepted; send the subscription in one text frame")
        case .text where subscribed:
            reject("only one subscription message is accepted")
        case .text:
            subscribed = true
            var data = frame.unmaskedData
            let bytes = data.readBytes(length: data.readableBytes) ?? []
            switch Subscription.decode(line: bytes) {
            case let .success(decoded):
                subscription = decoded
                logger.debug("feed subscription accepted", metadata: ["subscription": "\(decoded)"])
                enqueue(feed.control.subscribed)
                pump()
            case let .failure(problem):
                reject(problem.description)
            }
        default:
            reject("binary messages are not accepted; send the subscription as a text message", code: .unacceptableData)
        }
    }

    /// Queues `payload` (a line without its `\n`) if it matches the subscription; cuts the client off when its queue
    /// is full.
    func deliver(_ payload: ByteBuffer, metadata: RecordMetadata) {
        guard case .streaming = state, subscription.matches(metadata) else { return }
        let limits = feed.limits
        if queue.count >= limits.maxQueuedLines || payload.readableBytes > limits.maxQueuedBytes - queuedBytes {
            feed.registry.countSlowDisconnect()
            logger.warning("slow feed client disconnected", metadata: ["queuedLines": "\(queue.count)", "queuedBytes": "\(queuedBytes)"])
            finish(with: feed.control.slowConsumer, reason: .policyViolation, droppingQueue: true)
            return
        }
        queue.append(payload)
        queuedBytes += payload.readableBytes
        pump()
    }

    /// Sends `line` (a control line ending in `\n`) as the last message, then a close frame with `reason`; the
    /// connection closes once they are written and the client answers, or the grace period is over.
    /// - Parameter droppingQueue: drop the lines still queued so `line` goes next (slow consumer, errors), instead of
    ///   after them (shutdown).
    /// - Returns: the channel's close future.
    @discardableResult
    func finish(with line: ByteBuffer, reason: WebSocketErrorCode, droppingQueue: Bool = false) -> EventLoopFuture<Void>? {
        guard let context else { return nil }
        guard case .streaming = state else { return context.channel.closeFuture }
        state = .closing(reason)
        feed.registry.remove(id: id)
        if droppingQueue {
            queue.removeAll()
            queuedBytes = 0
        }
        enqueue(line)
        closeDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(feed.limits.closeGracePeriod)) {
            self.closeDeadline = nil
            self.context?.close(promise: nil)
        }
        pump()
        return context.channel.closeFuture
    }

    /// `line` without its final `\n`, queued as one message.
    private func enqueue(_ line: ByteBuffer) {
        var payload = line
        if payload.readableBytes > 0, payload.getInteger(at: payload.writerIndex - 1, as: UInt8.self) == UInt8(ascii: "\n") {
            payload.moveWriterIndex(to: payload.writerIndex - 1)
        }
        queue.append(payload)
        queuedBytes += payload.readableBytes
    }

    /// Writes queued lines while the channel is writable (a closing connection writes them all: they are few and
    /// bounded), then the close frame of a closing connection.
    private func pump() {
        guard let context else { return }
        let closing: WebSocketErrorCode?
        switch state {
        case .streaming: closing = nil
        case let .closing(code): closing = code
        case .closeSent, .closed: return
        }
        var wrote = false
        while let payload = queue.first, closing != nil || context.channel.isWritable {
            queue.removeFirst()
            queuedBytes -= payload.readableBytes
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: payload)), promise: nil)
            wrote = true
        }
        if let closing {
            state = .closeSent
            var data = context.channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: closing)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))).whenComplete { result in
                // Our side is done; the client answers with its close frame, or the grace period ends it.
                if case .failure = result { channel.close(promise: nil) } else { channel.close(mode: .output, promise: nil) }
            }
        } else if wrote {
            context.flush()
        }
    }

    private func closeReceived(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        switch state {
        case .streaming:
            // The client closes: echo its status code (RFC 6455 §5.5.1), then close.
            state = .closeSent
            markUnregistered()
            var data = frame.unmaskedData
            let code = data.readWebSocketErrorCode() ?? .normalClosure
            var reply = context.channel.allocator.buffer(capacity: 2)
            reply.write(webSocketErrorCode: code)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply))).whenComplete { _ in
                channel.close(promise: nil)
            }
        case .closing, .closeSent:
            context.close(promise: nil)
        case .closed:
            break
        }
    }

    private func markUnregistered() {
        feed.registry.remove(id: id)
        queue.removeAll()
        queuedBytes = 0
    }

    private func markClosed() {
        if case .closed = state { return }
        state = .closed
        markUnregistered()
        closeDeadline?.cancel()
        closeDeadline = nil
        if admitted {
            admitted = false
            feed.admission.release()
        }
    }

    private func reject(_ reason: String, code: WebSocketErrorCode = .policyViolation) {
        logger.info("feed client broke the protocol; closing", metadata: ["reason": "\(reason)"])
        finish(with: ControlLines.error(reason), reason: code, droppingQueue: true)
    }
}
