import Foundation
import Sinks
import Synchronization
import TestSupport
import Testing
import WebAPI

/// The WebSocket feed over real sockets: the Unix socket's protocol, one text message per line.
@Suite struct WebSocketFeedTests {
    static let subscribedNotice = #"{"kind":"notice","reason":"subscribed","v":1}"#
    static let shutdownNotice = #"{"kind":"notice","reason":"shutdown","v":1}"#
    static let slowNotice = #"{"kind":"notice","reason":"slow consumer, disconnected","v":1}"#

    static func line(_ kind: RecordKind, stream: String, sequence: Int, padding: Int = 0) -> JSONLine {
        let text = #"{"kind":"\#(kind.rawValue)","pad":"\#(String(repeating: "x", count: padding))","seq":\#(sequence),"stream":"\#(stream)"}"#
        return JSONLine(validating: Array((text + "\n").utf8), metadata: RecordMetadata(kind: kind, stream: stream, labels: []))!
    }

    /// Waits (without a deadline: the test runner's own limit catches a hang) until `condition` holds.
    /// Waits until `condition` holds; throws after `seconds` (a generous bound against a hang, not a speed check: a
    /// reader thread that died must fail the test, not keep the whole run waiting).
    static func eventually(within seconds: Int = 600, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw WaitTimedOut(seconds: seconds) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The client's next text message; a read that fails (its 30 s timeout under load) marks `received` -1 first, so
    /// the publisher stops waiting for this reader.
    static func readOrGiveUp(_ client: WebSocketTestClient, _ received: borrowing Atomic<Int>) throws -> String? {
        do {
            return try client.readText()
        } catch {
            received.store(-1, ordering: .releasing)
            throw error
        }
    }

    struct WaitTimedOut: Error, CustomStringConvertible {
        let seconds: Int
        var description: String { "the condition did not hold within \(seconds) s" }
    }

    @Test func subscriptionsFilterAndShutdownIsAnnounced() async throws {
        let server = try await TestServer.start()
        let port = server.port
        let headers = TestServer.authorization
        let (byStream, byKind, everything) = try await RawSocketClient.offPool {
            let byStream = try WebSocketTestClient(port: port, headers: headers)
            try byStream.send(text: #"{"streams":["cam1"]}"#)
            let byKind = try WebSocketTestClient(port: port, headers: headers)
            try byKind.send(text: #"{"kinds":["event"]}"#)
            let everything = try WebSocketTestClient(port: port, headers: headers)
            return (byStream, byKind, everything)
        }
        #expect(try await RawSocketClient.offPool { try byStream.readText() } == Self.subscribedNotice)
        #expect(try await RawSocketClient.offPool { try byKind.readText() } == Self.subscribedNotice)
        try await Self.eventually { server.feed.clientCount == 3 }
        let lines = [
            Self.line(.track, stream: "cam1", sequence: 1), Self.line(.event, stream: "cam2", sequence: 2),
            Self.line(.frame, stream: "cam2", sequence: 3), Self.line(.event, stream: "cam1", sequence: 4),
        ]
        for line in lines { await server.feed.write(line) }
        await server.stop()
        let results = try await RawSocketClient.offPool {
            try [byStream, byKind, everything].map { client in
                defer { client.close() }
                let (messages, close) = try client.readUntilClose()
                return (messages, close?.closeCode, client.isClosedByServer())
            }
        }
        let payload = { (index: Int) in String(decoding: lines[index].payload, as: UTF8.self) }
        #expect(results[0].0 == [payload(0), payload(3), Self.shutdownNotice])
        #expect(results[1].0 == [payload(1), payload(3), Self.shutdownNotice])
        #expect(results[2].0 == [payload(0), payload(1), payload(2), payload(3), Self.shutdownNotice])
        for result in results {
            #expect(result.1 == 1001, "close frame with 1001 going away")
            #expect(result.2, "the server closed the connection")
        }
    }

    /// Each hostile first message: an `error` line naming the problem, then a close frame with the status.
    @Test(arguments: [
        ("text", #"{"streams":"cam1"}"#, "malformed subscription: streams", 1008),
        ("text", "{bad", "malformed subscription: not valid JSON", 1008),
        ("text", #"{"stream":["cam1"]}"#, "unknown field", 1008),
        ("binary", "{}", "binary messages are not accepted", 1003),
        ("fragment", "{}", "fragmented messages are not accepted", 1008),
        ("unmasked", "{}", "must be masked", 1002),
    ])
    func malformedInputGetsAnErrorAndAClose(kind: String, message: String, reason: String, code: Int) async throws {
        let server = try await TestServer.start()
        let port = server.port
        let (messages, close, closed) = try await RawSocketClient.offPool {
            let client = try WebSocketTestClient(port: port, headers: TestServer.authorization)
            defer { client.close() }
            let payload = Array(message.utf8)
            switch kind {
            case "binary": try client.send(opcode: WebSocketTestClient.Opcode.binary, payload: payload)
            case "fragment": try client.send(opcode: WebSocketTestClient.Opcode.text, payload: payload, fin: false)
            case "unmasked": try client.send(opcode: WebSocketTestClient.Opcode.text, payload: payload, masked: false)
            default: try client.send(text: message)
            }
            let (messages, close) = try client.readUntilClose()
            return (messages, close?.closeCode, client.isClosedByServer())
        }
        #expect(messages.count == 1)
        let error = try JSONValue(parsing: messages.first ?? "")
        #expect(error["kind"] == .string("error"))
        #expect(error["reason"]?.stringValue?.contains(reason) == true, "\(messages)")
        try openAPI.validate(error, component: "ProtocolError")
        #expect(close == code)
        #expect(closed)
        #expect(server.feed.clientCount == 0)
        await server.stop()
    }

    @Test func secondMessageAndOversizedFramesAreRefused() async throws {
        let server = try await TestServer.start(feedLimits: FeedLimits(maxFrameSize: 1024))
        let port = server.port
        let (second, oversized) = try await RawSocketClient.offPool {
            let client = try WebSocketTestClient(port: port, headers: TestServer.authorization)
            defer { client.close() }
            try client.send(text: "{}")
            _ = try client.readText()
            try client.send(text: "{}")
            let second = try client.readUntilClose()
            let big = try WebSocketTestClient(port: port, headers: TestServer.authorization)
            defer { big.close() }
            try big.send(text: String(repeating: " ", count: 4096))
            let frame = try big.readFrame()
            return (second, frame.closeCode)
        }
        #expect(second.messages.first?.contains("only one subscription message") == true)
        #expect(second.close?.closeCode == 1008)
        #expect(oversized == 1009, "message too big")
        await server.stop()
    }

    @Test func pingGetsPongAndCloseIsEchoed() async throws {
        let server = try await TestServer.start()
        let port = server.port
        let (pong, close, closed) = try await RawSocketClient.offPool {
            let client = try WebSocketTestClient(port: port, headers: TestServer.authorization)
            defer { client.close() }
            try client.send(opcode: WebSocketTestClient.Opcode.ping, payload: Array("hello".utf8))
            let pong = try client.readFrame()
            try client.send(opcode: WebSocketTestClient.Opcode.close, payload: [0x03, 0xE8])
            let close = try client.readFrame()
            return (pong, close, client.isClosedByServer())
        }
        #expect(pong.opcode == WebSocketTestClient.Opcode.pong)
        #expect(pong.text == "hello")
        #expect(close.closeCode == 1000)
        #expect(closed)
        await server.stop()
    }

    @Test func tooManyClientsGetTheRefusalNotice() async throws {
        let server = try await TestServer.start(feedLimits: FeedLimits(maxClients: 1))
        let port = server.port
        let first = try await RawSocketClient.offPool { try WebSocketTestClient(port: port, headers: TestServer.authorization) }
        try await Self.eventually { server.feed.clientCount == 1 }
        let (messages, close) = try await RawSocketClient.offPool {
            let second = try WebSocketTestClient(port: port, headers: TestServer.authorization)
            defer { second.close() }
            let result = try second.readUntilClose()
            return (result.messages, result.close?.closeCode)
        }
        #expect(messages == [#"{"kind":"notice","reason":"too many subscribers","v":1}"#])
        #expect(close == 1008)
        #expect(server.feed.refusedClients == 1)
        first.close()
        await server.stop()
    }

    @Test func incompleteFirstMessageTimesOut() async throws {
        let server = try await TestServer.start(feedLimits: FeedLimits(subscriptionTimeout: .milliseconds(100)))
        let port = server.port
        let messages = try await RawSocketClient.offPool {
            let client = try WebSocketTestClient(port: port, headers: TestServer.authorization)
            defer { client.close() }
            // The first two bytes of a masked text frame of 100 bytes, and nothing more.
            client.http.socket.send([0x81, 0x80 | 100])
            return try client.readUntilClose().messages
        }
        #expect(messages.first?.contains("not completed within") == true, "\(messages)")
        await server.stop()
    }

    /// A client that stops reading is cut off with the notice after the lines it had; a fast client meanwhile
    /// receives every line.
    @Test func slowClientIsCutOffWhileAFastClientKeepsReceiving() async throws {
        let limits = FeedLimits(maxQueuedLines: 64, maxQueuedBytes: 1 << 20, closeGracePeriod: .seconds(60))
        let server = try await TestServer.start(feedLimits: limits)
        let port = server.port
        let (slow, fast) = try await RawSocketClient.offPool {
            (
                try WebSocketTestClient(port: port, headers: TestServer.authorization),
                try WebSocketTestClient(port: port, headers: TestServer.authorization)
            )
        }
        try await Self.eventually { server.feed.clientCount == 2 }
        // The publisher below runs on Swift's cooperative pool, which blocking tests elsewhere in a full run can hold
        // for minutes: the fast client waits for its next batch that long instead of its socket's 30 s.
        var patience = timeval(tv_sec: 600, tv_usec: 0)
        setsockopt(fast.http.socket.fd, SOL_SOCKET, SO_RCVTIMEO, &patience, socklen_t(MemoryLayout<timeval>.size))
        // The fast client reads on its own thread; the publisher waits for it batch by batch so it never falls behind.
        let received = Atomic<Int>(0)
        let fastReader = Task.detached {
            try await RawSocketClient.offPool { () -> (Int, [String]) in
                var sequence = 0
                var tail: [String] = []
                while let text = try Self.readOrGiveUp(fast, received) {
                    if text.hasPrefix(#"{"kind":"frame""#) {
                        let value = try JSONValue(parsing: text)
                        guard case let .integer(number)? = value["seq"], number == sequence + 1 else {
                            received.store(-1, ordering: .releasing)
                            return (sequence, [text])
                        }
                        sequence = number
                        received.store(sequence, ordering: .releasing)
                    } else {
                        tail.append(text)
                    }
                }
                return (sequence, tail)
            }
        }
        var published = 0
        while server.feed.slowConsumerDisconnects == 0, published < 200_000 {
            for _ in 0..<32 {
                published += 1
                await server.feed.write(Self.line(.frame, stream: "cam1", sequence: published, padding: 8000))
            }
            let target = published
            try await Self.eventually { received.load(ordering: .acquiring) == target || received.load(ordering: .acquiring) < 0 }
            if received.load(ordering: .acquiring) < 0 { break }
        }
        #expect(server.feed.slowConsumerDisconnects == 1)
        for _ in 0..<100 {
            published += 1
            await server.feed.write(Self.line(.frame, stream: "cam1", sequence: published, padding: 100))
        }
        // The slow client reads at last: the lines it had, then the notice and the close frame.
        let (slowMessages, slowClose, slowClosed) = try await RawSocketClient.offPool {
            defer { slow.close() }
            let result = try slow.readUntilClose()
            return (result.messages, result.close?.closeCode, slow.isClosedByServer())
        }
        await server.stop()
        let (fastCount, fastTail) = try await fastReader.value
        #expect(fastCount == published, "the fast client got every line in order")
        #expect(fastTail == [Self.shutdownNotice])
        #expect(slowMessages.last == Self.slowNotice)
        #expect(slowMessages.count > 1, "it got the lines it had before the notice")
        #expect(slowMessages.dropLast().allSatisfy { $0.hasPrefix(#"{"kind":"frame""#) })
        #expect(slowClose == 1008)
        #expect(slowClosed)
        fast.close()
    }
}
