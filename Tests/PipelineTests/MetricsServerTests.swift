import Foundation
import Logging
import Sinks
import TestSupport
import Testing

@testable import Pipeline

/// The metrics endpoint against idle, slow, oversized and numerous clients, with real TCP connections.
@Suite struct MetricsServerTests {
    static let logger = Logger(label: "PipelineTests.metrics")
    static let body = "ssdd_test 1\n"

    static func start(_ limits: MetricsServerLimits = MetricsServerLimits()) async throws -> MetricsServer {
        try await MetricsServer.start(host: "127.0.0.1", port: 0, limits: limits, logger: logger, render: { body })
    }

    static func exchange(_ port: Int, _ request: String) async throws -> (text: String, cleanEnd: Bool) {
        try await RawSocketClient.offPool {
            let client = try RawSocketClient(port: port)
            client.send(request)
            return client.readAll()
        }
    }

    /// Whether the server has sent something (or closed) on `client`'s connection.
    static func hasInput(_ client: RawSocketClient) -> Bool {
        var ready = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
        return poll(&ready, 1, 0) == 1
    }

    static func eventually(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<3000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("never happened: \(what)")
        throw CancellationError()
    }

    @Test func answersGetMetricsAndRefusesOtherMethodsPathsAndGarbage() async throws {
        let server = try await Self.start()
        let port = try #require(server.port)
        let ok = try await Self.exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(RawSocketClient.statusLine(ok.text) == "HTTP/1.1 200 OK")
        #expect(ok.text.hasSuffix("\r\n\r\n" + Self.body))
        #expect(ok.cleanEnd)
        let cases = [
            ("GET /other HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found"),
            ("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"),
            ("DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"),
            ("this is not http\r\n\r\n", "HTTP/1.1 400 Bad Request"),
            ("GET /metrics HTTP/1.1\r\nContent-Length: -5\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        ]
        for (request, status) in cases {
            let response = try await Self.exchange(port, request)
            #expect(RawSocketClient.statusLine(response.text) == status, "\(request.debugDescription): \(response.text.debugDescription)")
        }
        let notAllowed = try await Self.exchange(port, "PUT /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(notAllowed.text.contains("\r\nallow: GET\r\n") || notAllowed.text.contains("\r\nAllow: GET\r\n"))
        try await Self.eventually("every connection is closed") { server.connectionCount == 0 }
        await server.stop()
    }

    @Test func connectionsBeyondTheCapGet503AndTheAdmittedOnesStillWork() async throws {
        // The idle connections must outlive a loaded test run (a CI run once took over 10 s to send on one):
        // this test is about the cap, not the request timeout.
        let server = try await Self.start(MetricsServerLimits(maxConnections: 3, requestTimeout: .seconds(600)))
        let port = try #require(server.port)
        let idle = try await RawSocketClient.offPool { try (0..<3).map { _ in try RawSocketClient(port: port) } }
        try await Self.eventually("3 connections admitted") { server.connectionCount == 3 }

        let refused = try await Self.exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(RawSocketClient.statusLine(refused.text) == "HTTP/1.1 503 Service Unavailable")
        #expect(server.refusedConnections == 1)

        let served = try await RawSocketClient.offPool {
            idle[0].send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            return idle[0].readAll()
        }
        #expect(RawSocketClient.statusLine(served.text) == "HTTP/1.1 200 OK")
        try await Self.eventually("the served connection frees its slot") { server.connectionCount == 2 }
        let again = try await Self.exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(RawSocketClient.statusLine(again.text) == "HTTP/1.1 200 OK")
        await server.stop()
        // Held to here: an optimised build may otherwise release the idle clients (closing their sockets, freeing
        // their slots) right after the last use of the array, and the count would jump past 2.
        withExtendedLifetime(idle) {}
    }

    @Test func threeHundredIdleConnectionsTakeOnlyTheCap() async throws {
        let server = try await Self.start(MetricsServerLimits(requestTimeout: .seconds(3600)))
        let port = try #require(server.port)
        let before = try #require(OpenDescriptors.count())
        let clients = try await RawSocketClient.offPool { try (0..<300).map { _ in try RawSocketClient(port: port) } }
        // 16 connections are admitted and wait for their request; every other one is refused at once.
        try await Self.eventually("16 admitted, 284 refused") { server.connectionCount == 16 && server.refusedConnections == 284 }
        try await Self.eventually("284 clients have their answer") { clients.filter(Self.hasInput).count == 284 }
        let refused = clients.filter(Self.hasInput)
        let responses = try await RawSocketClient.offPool { refused.map { RawSocketClient.statusLine($0.readAll().text) } }
        #expect(responses == Array(repeating: "HTTP/1.1 503 Service Unavailable", count: 284))
        // The server lets go of the refused ones (they linger at most 1 s) and still serves the admitted ones.
        try await Self.eventually("the server closes its side of the refused connections") {
            (OpenDescriptors.count() ?? .max) <= before + 300 + 16 + 20
        }
        let admitted = clients.filter { !Self.hasInput($0) }
        #expect(admitted.count == 16)
        let first = try #require(admitted.first)
        let served = try await RawSocketClient.offPool {
            first.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            return first.readAll()
        }
        #expect(RawSocketClient.statusLine(served.text) == "HTTP/1.1 200 OK")
        for client in clients { client.shutdownBoth() }
        try await Self.eventually("every admitted connection is closed") { server.connectionCount == 0 }
        let ok = try await Self.exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(RawSocketClient.statusLine(ok.text) == "HTTP/1.1 200 OK")
        await server.stop()
    }

    @Test func idleAndSlowlorisClientsTimeOutWith408() async throws {
        let server = try await Self.start(MetricsServerLimits(requestTimeout: .milliseconds(200)))
        let port = try #require(server.port)
        let idle = try await Self.exchange(port, "")
        #expect(RawSocketClient.statusLine(idle.text) == "HTTP/1.1 408 Request Timeout")
        // One header byte every 20 ms, for up to 30 s: the head never completes before the deadline.
        let slow = try await RawSocketClient.offPool {
            let client = try RawSocketClient(port: port)
            client.send("GET /metrics HTTP/1.1\r\n")
            let writer = DispatchQueue(label: "slowloris")
            writer.async {
                for _ in 0..<1500 {
                    if client.send("X") != nil { return }
                    usleep(20_000)
                }
            }
            return client.readAll()
        }
        #expect(RawSocketClient.statusLine(slow.text) == "HTTP/1.1 408 Request Timeout")
        try await Self.eventually("both connections are closed") { server.connectionCount == 0 }
        await server.stop()
    }

    @Test func oversizedRequestHeadGets431() async throws {
        let server = try await Self.start(MetricsServerLimits(maxRequestBytes: 1024))
        let port = try #require(server.port)
        let response = try await Self.exchange(port, "GET /metrics HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 100_000) + "\r\n\r\n")
        #expect(RawSocketClient.statusLine(response.text) == "HTTP/1.1 431 Request Header Fields Too Large")
        let fits = try await Self.exchange(port, "GET /metrics HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 900) + "\r\n\r\n")
        #expect(RawSocketClient.statusLine(fits.text) == "HTTP/1.1 200 OK")
        await server.stop()
    }

    @Test func connectionsAreRefusedWhileTheDescriptorReserveIsReached() async throws {
        let limit = try #require(OpenDescriptors.softLimit())
        let server = try await Self.start(MetricsServerLimits(descriptorReserve: limit))
        let port = try #require(server.port)
        let response = try await Self.exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(RawSocketClient.statusLine(response.text) == "HTTP/1.1 503 Service Unavailable")
        #expect(server.refusedConnections == 1)
        await server.stop()
    }

    @Test func invalidLimitsNameTheirKey() {
        let cases: [(MetricsServerLimits, String)] = [
            (MetricsServerLimits(maxConnections: 0), "ssdd.toml: metrics.max_connections: expected an integer from 1 to 10000, got 0"),
            (
                MetricsServerLimits(requestTimeout: .seconds(-1)),
                "ssdd.toml: metrics.request_timeout: expected a duration above 0 and at most 3600 s, got -1.0 seconds"
            ),
            (MetricsServerLimits(maxRequestBytes: 10), "ssdd.toml: metrics.max_request_bytes: expected an integer from 256 to 1048576, got 10"),
            (MetricsServerLimits(descriptorReserve: -3), "ssdd.toml: metrics.descriptor_reserve: expected an integer from 0 to 1000000, got -3"),
        ]
        for (limits, message) in cases {
            #expect { try limits.validate(file: "ssdd.toml") } throws: { ($0 as? ConfigurationError)?.description == message }
        }
    }
}
