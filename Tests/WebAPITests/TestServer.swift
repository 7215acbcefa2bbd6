import Foundation
import Logging
import Sinks
import TestSupport
import WebAPI

/// A real `HTTPServer` on 127.0.0.1 (port 0) serving `FixedAPIState`, with a token file in a scratch directory.
struct TestServer: Sendable {
    static let token = "0123456789abcdef0123456789abcdef"

    let server: HTTPServer
    let feed: WebSocketFeed
    let port: Int
    let directory: URL

    static let logger: Logger = {
        var logger = Logger(label: "webapi-tests")
        logger.logLevel = ProcessInfo.processInfo.environment["SSDD_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()

    /// Starts a server; `token: nil` serves without a token.
    static func start(
        token: String? = TestServer.token, limits: HTTPServerLimits = HTTPServerLimits(), feedLimits: FeedLimits = FeedLimits(),
        state: any APIState = FixedAPIState()
    ) async throws -> TestServer {
        let directory = try TemporaryDirectory(prefix: "ssdd-webapi").url
        var tokenFile: String?
        if let token {
            let path = directory.appendingPathComponent("token").path
            try Data((token + "\n").utf8).write(to: URL(fileURLWithPath: path))
            tokenFile = path
        }
        let configuration = HTTPConfiguration(host: "127.0.0.1", port: 0, tokenFile: tokenFile, limits: limits, feed: feedLimits)
        let feed = WebSocketFeed(limits: feedLimits, logger: logger)
        let server = try await HTTPServer.start(configuration: configuration, state: state, feed: feed, logger: logger)
        return TestServer(server: server, feed: feed, port: server.port ?? 0, directory: directory)
    }

    /// `Authorization: Bearer <token>`.
    static let authorization = [("Authorization", "Bearer \(token)")]

    /// One request on a fresh connection, off the cooperative pool.
    func request(
        _ method: String = "GET", _ target: String, headers: [(String, String)] = TestServer.authorization
    ) async throws
        -> HTTPTestClient.Response
    {
        let port = port
        return try await RawSocketClient.offPool {
            let client = try HTTPTestClient(port: port)
            defer { client.close() }
            return try client.request(method, target, headers: headers)
        }
    }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The OpenAPI document the server embeds, parsed once.
let openAPI: OpenAPIValidator = try! OpenAPIValidator(document: EmbeddedResources.openAPIDocument)
