import NIOCore

/// Answers a connection that is not admitted: writes one fixed response (a notice line, an HTTP 503), shuts down
/// its output, discards whatever the client sends, and closes once the client closes or `linger` is over.
///
/// Shutting down the output first, instead of closing at once, lets the client read the response: closing a TCP
/// socket with unread input sends a reset, which can destroy the response in flight.
public final class RefusingHandler: ChannelInboundHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let response: ByteBuffer
    private let linger: TimeAmount
    private var deadline: Scheduled<Void>?

    /// - Parameters:
    ///   - response: the bytes sent before closing.
    ///   - linger: the longest time the connection stays open, response included; zero closes right after the
    ///     response is handed to the kernel.
    public init(response: ByteBuffer, linger: TimeAmount) {
        self.response = response
        self.linger = linger
    }

    public func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
        let lingering = linger > .zero
        context.writeAndFlush(wrapOutboundOut(response)).whenComplete { result in
            guard case .success = result, lingering else {
                channel.close(promise: nil)
                return
            }
            channel.close(mode: .output, promise: nil)
        }
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
