import NIOCore

/// First handler of a metrics connection, below the HTTP codec: bounds what a client may send and how long it may
/// take. The request head must arrive within `requestTimeout` of the connection (else `408`) and be at most
/// `maxRequestBytes` (else `431`); once a response starts, it has `requestTimeout` to be written. Rejections shut
/// down the output after the response and close at the latest `lingerTime` later, so the client can read the
/// response instead of being reset.
final class MetricsConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let limits: MetricsServerLimits
    private let lingerTime: TimeAmount
    private var receivedBytes = 0
    private var responding = false
    private var rejected = false
    private var deadline: Scheduled<Void>?

    init(limits: MetricsServerLimits, lingerTime: TimeAmount = .seconds(1)) {
        self.limits = limits
        self.lingerTime = lingerTime
    }

    func channelActive(context: ChannelHandlerContext) {
        schedule(in: TimeAmount(limits.requestTimeout), context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !responding else { return }
        let count = unwrapInboundIn(data).readableBytes
        guard count <= limits.maxRequestBytes - receivedBytes else {
            reject(with: PlainHTTPResponse.requestTooLarge, context: context)
            return
        }
        receivedBytes += count
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if !responding {
            // The response has started: from now on it has requestTimeout to be written, and input is ignored.
            responding = true
            schedule(in: TimeAmount(limits.requestTimeout), context: context)
        }
        context.write(data, promise: promise)
    }

    private func schedule(in delay: TimeAmount, context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.deadline = nil
            self.timedOut(context: context)
        }
    }

    private func timedOut(context: ChannelHandlerContext) {
        if responding {
            context.close(promise: nil)
        } else {
            reject(with: PlainHTTPResponse.requestTimeout, context: context)
        }
    }

    /// Writes `response` directly to the socket, shuts down the output, and closes within `lingerTime`.
    private func reject(with response: ByteBuffer, context: ChannelHandlerContext) {
        guard !rejected else { return }
        rejected = true
        responding = true
        deadline?.cancel()
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: lingerTime) {
            self.deadline = nil
            context.close(promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(response))).whenComplete { result in
            guard case .success = result else {
                channel.close(promise: nil)
                return
            }
            channel.close(mode: .output, promise: nil)
        }
    }

}
