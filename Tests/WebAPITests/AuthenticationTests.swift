import Foundation
import Logging
import TestSupport
import Testing
import WebAPI

/// The bearer token: required everywhere but `/healthz` and `/`, in the header or the `access_token` parameter.
@Suite struct AuthenticationTests {
    static let protectedTargets = [
        "/api/v1/openapi.json", "/api/v1/streams", "/api/v1/streams/file", "/api/v1/streams/cam%201/latest.jpg", "/api/v1/events",
        "/api/v1/config", "/metrics", "/api/v1/feed", "/nowhere",
    ]

    @Test func missingOrWrongTokenIsRefusedEverywhereButHealthzAndThePage() async throws {
        let server = try await TestServer.start()
        for target in Self.protectedTargets {
            for headers in [[], [("Authorization", "Bearer wrong-token-wrong-token")], [("Authorization", "Basic YTpi")]] {
                let response = try await server.request("GET", target, headers: headers)
                #expect(response.status == 401, "\(target) with \(headers)")
                #expect(response.header("WWW-Authenticate")?.hasPrefix(#"Bearer realm="ssdd""#) == true)
                if openAPI.template(matching: target) != nil {
                    try openAPI.validate(
                        method: "GET", path: target.removingPercentEncoding!, status: 401, contentType: "application/json", body: response.body)
                }
            }
            let wrongQuery = try await server.request("GET", target + "?access_token=\(TestServer.token)x", headers: [])
            #expect(wrongQuery.status == 401)
            #expect(!wrongQuery.text.contains(TestServer.token), "the answer never repeats the token")
        }
        #expect(try await server.request("GET", "/healthz", headers: []).status == 200)
        #expect(try await server.request("GET", "/", headers: []).status == 200)
        await server.stop()
    }

    @Test func rightTokenInTheHeaderOrTheQueryIsAccepted() async throws {
        let server = try await TestServer.start()
        #expect(try await server.request("GET", "/api/v1/streams", headers: [("Authorization", "bearer \(TestServer.token)")]).status == 200)
        #expect(try await server.request("GET", "/api/v1/streams?access_token=\(TestServer.token)", headers: []).status == 200)
        #expect(try await server.request("GET", "/api/v1/events?limit=1&access_token=\(TestServer.token)", headers: []).status == 200)
        // The header wins when both are given.
        #expect(try await server.request("GET", "/api/v1/streams?access_token=whatever").status == 200)
        let wrongHeader = [("Authorization", "Bearer wrong-token-wrong-token")]
        #expect(try await server.request("GET", "/api/v1/streams?access_token=\(TestServer.token)", headers: wrongHeader).status == 401)
        let twice = "/api/v1/streams?access_token=\(TestServer.token)&access_token=\(TestServer.token)"
        #expect(try await server.request("GET", twice, headers: []).status == 400)
        await server.stop()
    }

    @Test func webSocketUpgradeNeedsTheToken() async throws {
        let server = try await TestServer.start()
        let port = server.port
        let refused = try await RawSocketClient.offPool { () -> Int? in
            do {
                _ = try WebSocketTestClient(port: port)
                return nil
            } catch let failure as WebSocketTestClient.Failure {
                return failure.response?.status
            }
        }
        #expect(refused == 401)
        let opened = try await RawSocketClient.offPool {
            let client = try WebSocketTestClient(port: port, target: "/api/v1/feed?access_token=\(TestServer.token)")
            client.close()
            return true
        }
        #expect(opened)
        await server.stop()
    }

    @Test func withoutATokenFileEverythingIsOpen() async throws {
        let server = try await TestServer.start(token: nil)
        #expect(try await server.request("GET", "/api/v1/streams", headers: []).status == 200)
        #expect(try await server.request("GET", "/metrics", headers: []).status == 200)
        await server.stop()
    }

    @Test func reloadTokenSwitchesTokensAndKeepsTheOldOneOnError() async throws {
        let server = try await TestServer.start()
        let tokenFile = server.directory.appendingPathComponent("token")
        let fresh = "fresh-token-fresh-token-0123456789"
        try Data("\(fresh)\n".utf8).write(to: tokenFile)
        try server.server.reloadToken()
        #expect(try await server.request("GET", "/api/v1/streams", headers: [("Authorization", "Bearer \(fresh)")]).status == 200)
        #expect(try await server.request("GET", "/api/v1/streams").status == 401)
        try Data("\n".utf8).write(to: tokenFile)
        #expect(throws: WebAPIError.self) { try server.server.reloadToken() }
        #expect(try await server.request("GET", "/api/v1/streams", headers: [("Authorization", "Bearer \(fresh)")]).status == 200)
        await server.stop()
    }

    /// Token files that are missing, empty or hold no usable token stop the start with an error naming the key.
    @Test(
        arguments: [
            (nil, "does not exist"), ("", "is empty"), ("\n\n", "is empty"), ("short\n", "fewer than 16"),
            ("has a space in the middle of it\n", "not a letter"), ("=0123456789abcdef\n", "may end with `=`"),
            (String(repeating: "a", count: 5000) + "\n", "longer than 4096"),
        ] as [(String?, String)])
    func badTokenFilesAreRefused(content: String?, problem: String) async throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-webapi")
        defer { directory.remove() }
        let path = directory.file("token").path
        if let content { try Data(content.utf8).write(to: URL(fileURLWithPath: path)) }
        let configuration = HTTPConfiguration(host: "127.0.0.1", port: 0, tokenFile: path)
        do {
            let server = try await HTTPServer.start(
                configuration: configuration, state: FixedAPIState(), feed: WebSocketFeed(logger: TestServer.logger), logger: TestServer.logger)
            await server.stop()
            Issue.record("started with a bad token file")
        } catch let error as WebAPIError {
            #expect(error.key == "http.token_file")
            #expect(error.description.contains(problem), "\(error)")
            #expect(error.description.hasPrefix("http.token_file \(path)"))
        }
    }

    @Test func tokenIsTheFirstLineWithoutBlanks() async throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-webapi")
        defer { directory.remove() }
        let path = directory.file("token").path
        try Data("  \(TestServer.token)  \r\nsecond line ignored\n".utf8).write(to: URL(fileURLWithPath: path))
        let configuration = HTTPConfiguration(host: "127.0.0.1", port: 0, tokenFile: path)
        let server = try await HTTPServer.start(
            configuration: configuration, state: FixedAPIState(), feed: WebSocketFeed(logger: TestServer.logger), logger: TestServer.logger)
        let port = server.port ?? 0
        let status = try await RawSocketClient.offPool {
            let client = try HTTPTestClient(port: port)
            defer { client.close() }
            return try client.request("GET", "/api/v1/streams", headers: TestServer.authorization).status
        }
        #expect(status == 200)
        await server.stop()
    }
}

/// The token never reaches the log, whether a request carries it in the header or in the query, right or wrong.
@Suite struct TokenLoggingTests {
    @Test func tokenIsNeverLogged() async throws {
        let store = RecordingLogHandler.Store()
        let logger = Logger(label: "webapi-tests") { _ in RecordingLogHandler(store: store) }
        let directory = try TemporaryDirectory(prefix: "ssdd-webapi")
        defer { directory.remove() }
        let tokenFile = try directory.write(Array((TestServer.token + "\n").utf8), to: "token")
        let configuration = HTTPConfiguration(host: "127.0.0.1", port: 0, tokenFile: tokenFile.path)
        let server = try await HTTPServer.start(
            configuration: configuration, state: FixedAPIState(), feed: WebSocketFeed(logger: logger), logger: logger)
        let port = server.port ?? 0
        try await RawSocketClient.offPool {
            let client = try HTTPTestClient(port: port)
            defer { client.close() }
            _ = try client.request("GET", "/api/v1/streams?access_token=\(TestServer.token)")
            _ = try client.request("GET", "/api/v1/streams", headers: TestServer.authorization)
            _ = try client.request("GET", "/api/v1/streams?access_token=\(TestServer.token)-wrong")
            _ = try client.request("GET", "/api/v1/nowhere?access_token=\(TestServer.token)")
            let feed = try WebSocketTestClient(port: port, target: "/api/v1/feed?access_token=\(TestServer.token)")
            try feed.send(text: "{}")
            _ = try feed.readText()
            feed.close()
        }
        try server.reloadToken()
        await server.stop()
        let lines = store.all
        #expect(lines.contains { $0.contains("HTTP request") }, "requests are logged at trace level")
        #expect(!lines.contains { $0.contains("0123456789abcdef") }, "\(lines.filter { $0.contains("0123456789abcdef") })")
    }
}

/// A browser page of another site may not open the feed (a WebSocket has no same-origin protection of its own).
@Suite struct OriginTests {
    @Test func crossOriginWebSocketIsRefusedSameOriginAccepted() async throws {
        let server = try await TestServer.start(token: nil)
        let port = server.port
        let refused = try await RawSocketClient.offPool { () -> HTTPTestClient.Response? in
            do {
                _ = try WebSocketTestClient(port: port, headers: [("Origin", "https://evil.example")])
                return nil
            } catch let failure as WebSocketTestClient.Failure {
                return failure.response
            }
        }
        #expect(refused?.status == 403)
        try openAPI.validate(method: "GET", path: "/api/v1/feed", status: 403, contentType: "application/json", body: refused?.body ?? [])
        let accepted = try await RawSocketClient.offPool {
            let client = try WebSocketTestClient(port: port, headers: [("Origin", "http://127.0.0.1:\(port)")])
            client.close()
            return true
        }
        #expect(accepted)
        await server.stop()
    }
}
