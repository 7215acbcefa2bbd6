import Foundation
import Logging
import Sinks
import TestSupport
import Testing

/// Clients that break the subscription protocol get one clear error line and are closed; nobody else notices.
@Suite struct HostileSubscriberTests {
    static let logger = Logger(label: "SinksTests.hostile")

    static func error(_ reason: String) -> String {
        #"{"kind":"error","reason":""# + reason + #"","v":1}"#
    }

    static let trailing = error("unexpected input after the subscription line; send one line, then only read")
    static let tooLong = error("malformed subscription: line longer than 65536 bytes")

    /// What the hostile client sends, and the exact last line it must read.
    static let cases: [(String, [UInt8], String)] = [
        ("unterminated line over the limit", Array(repeating: UInt8(ascii: "a"), count: 70_000), tooLong),
        ("terminated line over the limit", Array(repeating: UInt8(ascii: " "), count: 65_537) + Array("{}\n".utf8), tooLong),
        ("not JSON", Array("not json\n".utf8), error("malformed subscription: not valid JSON: Invalid value around character 1.")),
        (
            "a JSON array", Array("[1,2]\n".utf8),
            error("malformed subscription: Expected to decode Dictionary<String, Any> but found an array instead.")
        ),
        (
            "a string for a list", Array(#"{"streams":"cam1"}"#.utf8) + [10],
            error("malformed subscription: streams: Expected to decode Array<Any> but found a string instead.")
        ),
        (
            "a number for a name", Array(#"{"labels":[1]}"#.utf8) + [10],
            error("malformed subscription: labels.Index 0: Expected to decode String but found number instead.")
        ),
        (
            "a huge score", Array(#"{"minScore":1e999}"#.utf8) + [10],
            error("malformed subscription: not valid JSON: Number 1e999 is not representable in Swift.")
        ),
        (
            "an unknown kind", Array(#"{"kinds":["frame","bogus"]}"#.utf8) + [10],
            error("malformed subscription: kinds.Index 1: Cannot initialize RecordKind from invalid String value bogus")
        ),
        (
            "a repeated kind", Array(#"{"kinds":["frame","frame"]}"#.utf8) + [10],
            error(#"malformed subscription: kinds: \"frame\" is listed twice"#)
        ),
        (
            "5000 stream names", Array(("{\"streams\":[" + (0..<5000).map { "\"s\($0)\"" }.joined(separator: ",") + "]}\n").utf8),
            error("malformed subscription: streams: at most 1024 names, got 5000")
        ),
        (
            "a 2000-byte label", Array(("{\"labels\":[\"" + String(repeating: "x", count: 2000) + "\"]}\n").utf8),
            error("malformed subscription: labels: names are at most 1024 bytes, got one of 2000")
        ),
        (
            "20000 nested arrays", Array(("{\"streams\":" + String(repeating: "[", count: 20_000) + "\n").utf8),
            error("malformed subscription: not valid JSON: Too many nested arrays or dictionaries around character 523.")
        ),
        (
            "invalid UTF-8", Array(#"{"streams":[""#.utf8) + [0xFF, 0xFE] + Array(#""]}"#.utf8) + [10],
            error("malformed subscription: not valid JSON: Invalid UTF-8 sequence 2 bytes starting from character 13.")
        ),
        (
            "NUL bytes", Array(#"{"streams":["a"#.utf8) + [0] + Array(#""]}"#.utf8) + [10],
            error("malformed subscription: not valid JSON: Unescaped control character around character 14.")
        ),
        ("an empty line", [10], error("malformed subscription: not valid JSON: Unexpected end of file during JSON parse.")),
        ("a subscription and more input", Array("{}\nhello\n".utf8), trailing),
    ]

    @Test(arguments: cases.indices)
    func protocolViolationGetsOneErrorLineAndAClose(index: Int) async throws {
        let (name, payload, expected) = Self.cases[index]
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        let publisher = try await UnixSocketPublisher.bind(configuration: PublisherConfiguration(path: path), logger: Self.logger)
        let (lines, end) = try await RawSocketClient.offPool {
            let client = try RawSocketClient(unixPath: path)
            client.send(payload)
            return client.readToEnd()
        }
        #expect(lines.count == 1, "\(name): \(lines)")
        let last = try #require(lines.last)
        #expect(last == expected, "\(name)")
        #expect(end == .endOfFile || end == .reset, "\(name): \(end)")
        try await SubscriberLimitsTests.eventually("\(name): the connection is closed") { publisher.connectionCount == 0 }
        await publisher.close()
    }

    @Test func unfinishedLineTimesOut() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        let publisher = try await UnixSocketPublisher.bind(
            configuration: PublisherConfiguration(path: path, subscriptionTimeout: .milliseconds(200)), logger: Self.logger)
        let (lines, end) = try await RawSocketClient.offPool {
            let client = try RawSocketClient(unixPath: path)
            client.send(Array(#"{"streams":["#.utf8))
            return client.readToEnd()
        }
        #expect(lines == [Self.error("malformed subscription: line not completed within 0.2 seconds")])
        #expect(end == .endOfFile)
        await publisher.close()
    }

    @Test func halfClosedUnfinishedLineIsRejected() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        let publisher = try await UnixSocketPublisher.bind(configuration: PublisherConfiguration(path: path), logger: Self.logger)
        let (lines, _) = try await RawSocketClient.offPool {
            let client = try RawSocketClient(unixPath: path)
            client.send(Array(#"{"streams""#.utf8))
            client.shutdownWrite()
            return client.readToEnd()
        }
        #expect(lines == [Self.error("malformed subscription: the client stopped sending before the line's newline")])
        await publisher.close()
    }

    @Test(arguments: [("garbage", UInt8(ascii: "x")), ("blank lines", UInt8(ascii: "\n"))])
    func clientSendingForeverIsCutOff(name: String, byte: UInt8) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        let publisher = try await UnixSocketPublisher.bind(configuration: PublisherConfiguration(path: path), logger: Self.logger)
        let client = try await SubscriberLimitsTests.subscribed(path)
        // Up to 1 GiB: the server must cut the client off long before.
        let sendError = try await RawSocketClient.offPool { client.sendRepeatedly(Array(repeating: byte, count: 4096), limit: 1 << 30) }
        #expect(sendError == EPIPE || sendError == ECONNRESET, "\(name): \(String(describing: sendError))")
        let (lines, _) = try await RawSocketClient.offPool { client.readToEnd() }
        #expect(lines == [Self.trailing], "\(name)")
        await publisher.close()
    }

    @Test func hostileClientsDoNotDisturbAWellBehavedSubscriber() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        let publisher = try await UnixSocketPublisher.bind(configuration: PublisherConfiguration(path: path), logger: Self.logger)
        let good = try await SubscriberLimitsTests.subscribed(path, #"{"streams":["cam1"]}"#)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (_, payload, _) in Self.cases {
                group.addTask {
                    _ = try await RawSocketClient.offPool {
                        let client = try RawSocketClient(unixPath: path)
                        client.send(payload)
                        return client.readToEnd()
                    }
                }
            }
            group.addTask {
                let client = try await SubscriberLimitsTests.subscribed(path)
                _ = try await RawSocketClient.offPool { client.sendRepeatedly(Array(repeating: UInt8(ascii: "x"), count: 4096), limit: 1 << 30) }
            }
            var received: [Int] = []
            for index in 0..<300 {
                publisher.publish(try UnixSocketPublisherTests.frame("cam1", index, "person", 0.9, pad: 500))
                let line = try await RawSocketClient.offPool { good.readLine() }
                received.append(try #require((try? line.get()).flatMap(UnixSocketPublisherTests.index)))
            }
            #expect(received == Array(0..<300))
            try await group.waitForAll()
        }
        try await SubscriberLimitsTests.eventually("only the good subscriber is left") { publisher.connectionCount == 1 }
        await publisher.close()
    }
}
