import NIOCore
import NIOPosix
import Sinks

/// A socket client for tests, built on NIO: reads newline-delimited lines, sends raw text.
struct TestSubscriber {
    /// Reads whole lines from the channel's inbound stream.
    struct LineReader {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var pending: [UInt8] = []

        /// The next line without its newline, or `nil` at end of stream (a trailing partial line is an error).
        mutating func next() async throws -> String? {
            while true {
                if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeFirst(newline + 1)
                    return line
                }
                guard let chunk = try await iterator.next() else {
                    precondition(pending.isEmpty, "stream ended inside a line: \(String(decoding: pending, as: UTF8.self))")
                    return nil
                }
                pending += chunk.readableBytesView
            }
        }

        /// Reads lines until end of stream.
        mutating func rest() async throws -> [String] {
            var lines: [String] = []
            while let line = try await next() { lines.append(line) }
            return lines
        }
    }

    /// Connects to `path`, runs `body` with a line reader and a writer, then closes.
    static func with<R: Sendable>(
        path: String, _ body: (inout LineReader, NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> R
    ) async throws -> R {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var reader = LineReader(iterator: inbound.makeAsyncIterator())
            return try await body(&reader, outbound)
        }
    }

    /// Sends a subscription line and waits for the `subscribed` notice.
    static func subscribe(_ json: String, reader: inout LineReader, writer: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
        try await writer.write(ByteBuffer(string: json + "\n"))
        let reply = try await reader.next()
        precondition(reply == subscribedNotice, "expected the subscribed notice, got \(reply ?? "end of stream")")
    }

    static let subscribedNotice = #"{"kind":"notice","reason":"subscribed","v":1}"#
    static let shutdownNotice = #"{"kind":"notice","reason":"shutdown","v":1}"#
    static let slowNotice = #"{"kind":"notice","reason":"slow consumer, disconnected","v":1}"#
}
