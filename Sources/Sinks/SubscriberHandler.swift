import Foundation
import Logging
import NIOCore

/// One subscriber connection. Lives on its channel's event loop; all its state is loop-confined.
///
/// Protocol: the client may send one subscription line (`Subscription`); it gets a `subscribed` notice, or an
/// `error` line and a close if the line is malformed. Until then it receives everything. Further input is
/// ignored. Lines queued for the client but not yet taken by the kernel are counted; past the limits the
/// client gets a `slow consumer, disconnected` notice (best effort) and is closed.
final class SubscriberHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        /// Receiving lines; `subscriptionReceived` is false until the client's first line arrived.
        case streaming(subscriptionReceived: Bool)
        /// Sent a final line; closing once it is written or the grace period ends.
        case closing
        case closed
    }

    /// Longest subscription line accepted.
    private static let maxSubscriptionBytes = 64 * 1024

    let id: Int
    private let configuration: PublisherConfiguration
    private let registry: SubscriberRegistry
    private let control: ControlLines
    private let logger: Logger
    private var state = State.streaming(subscriptionReceived: false)
    private var subscription = Subscription()
    private var input = ByteBuffer()
    private var queuedLines = 0
    private var queuedBytes = 0
    private var context: ChannelHandlerContext?

    init(id: Int, configuration: PublisherConfiguration, registry: SubscriberRegistry, control: ControlLines, logger: Logger) {
        self.id = id
        self.configuration = configuration
        self.registry = registry
        self.control = control
        var logger = logger
        logger[metadataKey: "subscriber"] = "\(id)"
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        let entry = SubscriberRegistry.Entry(id: id, eventLoop: context.eventLoop, handler: NIOLoopBound(self, eventLoop: context.eventLoop))
        guard registry.add(entry) else {
            // The publisher is shutting down: say so and close.
            finish(with: control.shutdown)
            return
        }
        logger.debug("subscriber connected")
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        registry.remove(id: id)
        state = .closed
        logger.debug("subscriber disconnected")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A vanished peer (EPIPE, ECONNRESET) or any other I/O error: just drop this subscriber.
        logger.debug("subscriber connection failed", metadata: ["error": "\(error)"])
        registry.remove(id: id)
        state = .closed
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .streaming(subscriptionReceived: false) = state else { return }
        var chunk = unwrapInboundIn(data)
        input.writeBuffer(&chunk)
        guard let newline = input.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if input.readableBytes > Self.maxSubscriptionBytes { reject("subscription line longer than \(Self.maxSubscriptionBytes) bytes") }
            return
        }
        let line = input.readableBytesView[input.readerIndex..<newline]
        input = ByteBuffer()
        do {
            subscription = try JSONDecoder().decode(Subscription.self, from: Data(line))
        } catch {
            reject(Self.describe(error))
            return
        }
        state = .streaming(subscriptionReceived: true)
        logger.debug("subscription accepted", metadata: ["subscription": "\(subscription)"])
        send(control.subscribed)
    }

    /// Queues `line` for the client if it matches the subscription; disconnects the client if its queue is full.
    func deliver(_ line: ByteBuffer, metadata: RecordMetadata) {
        guard case .streaming = state, subscription.matches(metadata) else { return }
        if queuedLines + 1 > configuration.maxQueuedLines || queuedBytes + line.readableBytes > configuration.maxQueuedBytes {
            registry.countSlowDisconnect()
            logger.warning(
                "slow subscriber disconnected", metadata: ["queuedLines": "\(queuedLines)", "queuedBytes": "\(queuedBytes)"])
            finish(with: control.slowConsumer)
            return
        }
        send(line)
    }

    /// Sends `line` as the last one, then closes once it is written or the grace period is over.
    /// - Returns: the channel's close future.
    @discardableResult
    func finish(with line: ByteBuffer) -> EventLoopFuture<Void>? {
        guard let context else { return nil }
        let closeFuture = context.channel.closeFuture
        switch state {
        case .closing, .closed:
            return closeFuture
        case .streaming:
            state = .closing
        }
        registry.remove(id: id)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(line), promise: written)
        let grace = TimeAmount.nanoseconds(Int64(configuration.closeGracePeriod.components.seconds) * 1_000_000_000
            + configuration.closeGracePeriod.components.attoseconds / 1_000_000_000)
        let timeout = context.eventLoop.scheduleTask(in: grace) { written.fail(ChannelError.ioOnClosedChannel) }
        let channel = context.channel
        written.futureResult.whenComplete { _ in
            timeout.cancel()
            channel.close(promise: nil)
        }
        return closeFuture
    }

    private func send(_ line: ByteBuffer) {
        guard let context else { return }
        let count = line.readableBytes
        queuedLines += 1
        queuedBytes += count
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenComplete { _ in
            self.queuedLines -= 1
            self.queuedBytes -= count
        }
        context.writeAndFlush(wrapOutboundOut(line), promise: written)
    }

    private func reject(_ reason: String) {
        logger.info("malformed subscription rejected", metadata: ["reason": "\(reason)"])
        finish(with: ControlLines.error("malformed subscription: \(reason)"))
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let DecodingError.dataCorrupted(context), let DecodingError.typeMismatch(_, context),
            let DecodingError.valueNotFound(_, context), let DecodingError.keyNotFound(_, context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            let detail = (context.underlyingError as? NSError)?.localizedDescription
            return [path.isEmpty ? nil : path, context.debugDescription, detail].compactMap { $0 }.joined(separator: ": ")
        default:
            return "\(error)"
        }
    }
}
