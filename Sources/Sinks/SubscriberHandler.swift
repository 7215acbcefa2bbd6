import Logging
import NIOCore

/// One subscriber connection. Lives on its channel's event loop; all its state is loop-confined.
///
/// Protocol: the client may send one subscription line (`Subscription`); it gets a `subscribed` notice, or an
/// `error` line and a close if the line is malformed, longer than `PublisherConfiguration.maxSubscriptionBytes`,
/// not completed within `subscriptionTimeout`, or followed by anything but a little whitespace. Until then it
/// receives everything.
///
/// Output: lines wait in this handler's queue and are handed to the kernel one at a time, only while the socket's
/// send buffer keeps room for one more small write (`SendBufferProbe`). So when the queue exceeds its limits, the
/// queue is dropped and the `slow consumer, disconnected` notice goes straight into the kernel behind the lines the
/// client has not read yet: it reads them, then the notice, then end of file, however late it resumes.
final class SubscriberHandler: ChannelInboundHandler, LineSubscriber {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        /// Receiving lines.
        case streaming
        /// A final line is queued; the connection closes once it is written or the grace period ends.
        case closing(skipsSendBufferCheck: Bool)
        case closed
    }

    /// How often a queue waiting for room in the kernel's send buffer looks again (the kernel does not signal it).
    private static let sendBufferRetryInterval = TimeAmount.milliseconds(10)

    let id: Int
    private let configuration: PublisherConfiguration
    private let registry: SubscriberRegistry<SubscriberHandler>
    private let control: ControlLines
    private let logger: Logger
    private var state = State.streaming
    private var subscription = Subscription()
    private var input: SubscriptionLineReader
    private var queue = CircularBuffer<ByteBuffer>()
    private var queuedBytes = 0
    /// Bytes handed to the channel and not yet taken by the kernel.
    private var bytesInChannel = 0
    private var sendBufferCapacity: Int?
    private var pumping = false
    private var retry: Scheduled<Void>?
    private var subscriptionDeadline: Scheduled<Void>?
    private var closeDeadline: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(id: Int, configuration: PublisherConfiguration, registry: SubscriberRegistry<SubscriberHandler>, control: ControlLines, logger: Logger) {
        self.id = id
        self.configuration = configuration
        self.registry = registry
        self.control = control
        input = SubscriptionLineReader(maxLineBytes: PublisherConfiguration.maxSubscriptionBytes)
        var logger = logger
        logger[metadataKey: "subscriber"] = "\(id)"
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        sendBufferCapacity = SendBufferProbe.capacity(of: context.channel)
        let entry = SubscriberRegistry<SubscriberHandler>.Entry(
            id: id, eventLoop: context.eventLoop, handler: NIOLoopBound(self, eventLoop: context.eventLoop))
        guard registry.add(entry) else {
            // The publisher is shutting down: say so and close.
            finish(with: control.shutdown, droppingQueue: true)
            return
        }
        logger.debug("subscriber connected")
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        registry.remove(id: id)
        markClosed()
        logger.debug("subscriber disconnected")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A vanished peer (EPIPE, ECONNRESET) or any other I/O error: just drop this subscriber.
        logger.debug("subscriber connection failed", metadata: ["error": "\(error)"])
        registry.remove(id: id)
        markClosed()
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client half-closed (it only reads from now on); a partial subscription line can no longer complete.
        if case ChannelEvent.inputClosed = event, input.hasPartialLine {
            reject("malformed subscription: the client stopped sending before the line's newline")
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .streaming = state else { return }
        switch input.consume(unwrapInboundIn(data)) {
        case .needMore:
            if input.hasPartialLine, subscriptionDeadline == nil {
                let timeout = configuration.subscriptionTimeout
                subscriptionDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
                    self.subscriptionDeadline = nil
                    self.reject("malformed subscription: line not completed within \(timeout)")
                }
            }
        case let .line(line):
            subscriptionDeadline?.cancel()
            subscriptionDeadline = nil
            switch Subscription.decode(line: line) {
            case let .success(decoded): subscription = decoded
            case let .failure(problem):
                reject(problem.description)
                return
            }
            logger.debug("subscription accepted", metadata: ["subscription": "\(subscription)"])
            enqueue(control.subscribed)
            pump()
        case let .rejected(reason):
            reject(reason)
        }
    }

    /// Queues `line` for the client if it matches the subscription; disconnects the client if its queue is full.
    func deliver(_ line: ByteBuffer, metadata: RecordMetadata) {
        guard case .streaming = state, subscription.matches(metadata) else { return }
        if queue.count >= configuration.maxQueuedLines || line.readableBytes > configuration.maxQueuedBytes - queuedBytes {
            registry.countSlowDisconnect()
            logger.warning("slow subscriber disconnected", metadata: ["queuedLines": "\(queue.count)", "queuedBytes": "\(queuedBytes)"])
            finish(with: control.slowConsumer, droppingQueue: true)
            return
        }
        enqueue(line)
        pump()
    }

    /// Sends `line` as the last one, then closes once it is written or the grace period is over.
    /// - Parameter droppingQueue: drop the lines still queued so `line` goes next (slow consumer, errors), instead
    ///   of after them (shutdown).
    /// - Returns: the channel's close future.
    @discardableResult
    func finish(with line: ByteBuffer, droppingQueue: Bool = false) -> EventLoopFuture<Void>? {
        guard let context else { return nil }
        guard case .streaming = state else { return context.channel.closeFuture }
        state = .closing(skipsSendBufferCheck: droppingQueue)
        registry.remove(id: id)
        subscriptionDeadline?.cancel()
        subscriptionDeadline = nil
        // Whatever the client sends from now on stays unread.
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        if droppingQueue {
            queue.removeAll()
            queuedBytes = 0
        }
        enqueue(line)
        closeDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(configuration.closeGracePeriod)) {
            self.closeDeadline = nil
            self.context?.close(promise: nil)
        }
        pump()
        return context.channel.closeFuture
    }

    private func enqueue(_ line: ByteBuffer) {
        queue.append(line)
        queuedBytes += line.readableBytes
    }

    /// Hands queued lines to the kernel while it has room for them and for one more small write; closes a
    /// finishing connection once its queue is written.
    private func pump() {
        guard !pumping, let context else { return }
        if case .closed = state { return }
        pumping = true
        defer { pumping = false }
        while let line = queue.first {
            guard mayWrite(line.readableBytes, context: context) else {
                scheduleRetry(context: context)
                return
            }
            queue.removeFirst()
            let count = line.readableBytes
            queuedBytes -= count
            bytesInChannel += count
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.assumeIsolated().whenComplete { _ in
                self.bytesInChannel -= count
                self.pump()
            }
            context.writeAndFlush(wrapOutboundOut(line), promise: written)
        }
        if case .closing = state, bytesInChannel == 0 {
            context.close(promise: nil)
        }
    }

    private func mayWrite(_ count: Int, context: ChannelHandlerContext) -> Bool {
        switch state {
        case .closed: return false
        case .closing(skipsSendBufferCheck: true): return true
        case .streaming, .closing(skipsSendBufferCheck: false): break
        }
        // One line at a time: one the kernel did not take whole waits in the channel, ahead of everything else.
        guard bytesInChannel == 0 else { return false }
        guard let capacity = sendBufferCapacity, let charged = SendBufferProbe.queuedCharge(of: context.channel) else { return true }
        // A line too long to ever leave room behind it goes once the kernel's buffer is empty.
        return charged == 0 || SendBufferProbe.worstCaseCharge(forWriteOf: count) < capacity - charged
    }

    private func scheduleRetry(context: ChannelHandlerContext) {
        // Waiting for the channel to finish a write needs no timer: its completion pumps again.
        guard retry == nil, bytesInChannel == 0 else { return }
        retry = context.eventLoop.assumeIsolated().scheduleTask(in: Self.sendBufferRetryInterval) {
            self.retry = nil
            self.pump()
        }
    }

    private func markClosed() {
        state = .closed
        queue.removeAll()
        queuedBytes = 0
        for task in [retry, subscriptionDeadline, closeDeadline] { task?.cancel() }
        retry = nil
        subscriptionDeadline = nil
        closeDeadline = nil
    }

    private func reject(_ reason: String) {
        logger.info("subscriber broke the protocol; closing", metadata: ["reason": "\(reason)"])
        finish(with: ControlLines.error(reason), droppingQueue: true)
    }
}
