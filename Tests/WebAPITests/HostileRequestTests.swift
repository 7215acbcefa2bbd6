import Foundation
import TestSupport
import Testing
import WebAPI

/// Requests a careless or hostile client sends: each gets a clear JSON error with the right status, and the server
/// keeps serving.
@Suite struct HostileRequestTests {
    /// Bad query values and bad encodings: `400` naming what is wrong.
    @Test(arguments: [
        ("/api/v1/events?limit=0", "limit"), ("/api/v1/events?limit=1001", "limit"), ("/api/v1/events?limit=abc", "limit"),
        ("/api/v1/events?limit=-1", "limit"), ("/api/v1/events?limit=99999999999999999999", "limit"), ("/api/v1/events?limit=", "limit"),
        ("/api/v1/events?since=nan", "since"), ("/api/v1/events?since=inf", "since"), ("/api/v1/events?since=yesterday", "since"),
        ("/api/v1/events?kind=frame", "kind"), ("/api/v1/events?kind=", "kind"), ("/api/v1/events?stream=", "stream"),
        ("/api/v1/events?limit=1&limit=2", "limit"), ("/api/v1/events?limits=5", "limits"), ("/api/v1/events?stream=%zz", "stream"),
        ("/api/v1/events?stream=%C3%28", "stream"), ("/api/v1/streams/%zz", "path"),
        ("/api/v1/streams/%C3%28", "path"), ("/api/v1/streams/a%2Fb", "path"),
        ("/api/v1/streams/%", "path"), ("/api/v1/streams/%4", "path"),
    ])
    func badRequestsNameTheProblem(target: String, names: String) async throws {
        let server = try await TestServer.start()
        let response = try await server.request("GET", target)
        #expect(response.status == 400, "\(target): \(response.text)")
        let message = try JSONValue(parsing: response.body)["error"]?.stringValue ?? ""
        #expect(message.contains(names), "\(target): \(message)")
        let path = String(target.split(separator: "?")[0])
        if let template = openAPI.template(matching: path), template != "/api/v1/streams/{name}" || !target.contains("%2F") {
            try openAPI.validate(method: "GET", path: path, status: 400, contentType: "application/json", body: response.body)
        }
        await server.stop()
    }

    @Test func unknownPathIs404AndWrongMethodIs405() async throws {
        let server = try await TestServer.start()
        let unknown = try await server.request("GET", "/api/v2/streams")
        #expect(unknown.status == 404)
        #expect(try JSONValue(parsing: unknown.body)["error"] != nil)
        for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
            let response = try await server.request(method, "/api/v1/streams", headers: TestServer.authorization + [("Content-Length", "0")])
            #expect(response.status == 405, "\(method)")
            #expect(response.header("Allow") == "GET, HEAD")
            #expect(response.header("X-Content-Type-Options") == "nosniff")
        }
        await server.stop()
    }

    @Test func hugeHeadIs431() async throws {
        let server = try await TestServer.start(limits: HTTPServerLimits(maxRequestBytes: 4096))
        let port = server.port
        let response = try await RawSocketClient.offPool {
            let client = try HTTPTestClient(port: port)
            defer { client.close() }
            return try client.request("GET", "/healthz", headers: [("X-Padding", String(repeating: "a", count: 8000))])
        }
        #expect(response.status == 431)
        #expect(try JSONValue(parsing: response.body)["error"] != nil)
        #expect(try await server.request("GET", "/healthz").status == 200, "the server keeps serving")
        await server.stop()
    }

    @Test func hugeBodyIs413() async throws {
        let server = try await TestServer.start(limits: HTTPServerLimits(maxRequestBytes: 4096))
        let port = server.port
        let response = try await RawSocketClient.offPool {
            let client = try HTTPTestClient(port: port)
            defer { client.close() }
            client.socket.send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
            client.socket.send(Array(repeating: UInt8(ascii: "x"), count: 100_000))
            return try client.readResponse()
        }
        #expect(response.status == 413)
        await server.stop()
    }

    @Test func slowHeadIs408() async throws {
        let server = try await TestServer.start(limits: HTTPServerLimits(requestTimeout: .milliseconds(200)))
        let port = server.port
        let (response, closed) = try await RawSocketClient.offPool {
            let client = try HTTPTestClient(port: port)
            defer { client.close() }
            client.socket.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")
            // Never finishes the head: the server answers 408 once its timeout passes.
            let response = try client.readResponse()
            return (response, client.isClosedByServer())
        }
        #expect(response.status == 408)
        #expect(closed)
        await server.stop()
    }

    @Test func idleKeepAliveConnectionIsClosedQuietly() async throws {
        let server = try await TestServer.start(limits: HTTPServerLimits(requestTimeout: .milliseconds(200)))
        let port = server.port
        let closed = try await RawSocketClient.offPool {
            let client = try HTTPTestClient(port: port)
            defer { client.close() }
            _ = try client.request("GET", "/healthz")
            return client.isClosedByServer()
        }
        #expect(closed)
        await server.stop()
    }

    @Test func malformedRequestIs400() async throws {
        let server = try await TestServer.start()
        let port = server.port
        let response = try await RawSocketClient.offPool {
            let client = try HTTPTestClient(port: port)
            defer { client.close() }
            client.socket.send("GARBAGE\u{1}\r\n\r\n")
            return try client.readResponse()
        }
        #expect(response.status == 400)
        #expect(try JSONValue(parsing: response.body)["error"] == .string("malformed HTTP request"))
        #expect(response.header("X-Content-Type-Options") == "nosniff")
        await server.stop()
    }

    @Test func tooManyConnectionsGet503() async throws {
        let server = try await TestServer.start(limits: HTTPServerLimits(maxConnections: 2))
        let port = server.port
        let (held, refused) = try await RawSocketClient.offPool {
            let first = try HTTPTestClient(port: port)
            let second = try HTTPTestClient(port: port)
            defer {
                first.close()
                second.close()
            }
            let held = try [first.request("GET", "/healthz").status, second.request("GET", "/healthz").status]
            let third = try HTTPTestClient(port: port)
            defer { third.close() }
            return (held, try third.readResponse())
        }
        #expect(held == [200, 200])
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") == "1")
        #expect(server.server.refusedConnections == 1)
        await server.stop()
    }

    @Test func cannotListenOnABusyPortNamesTheAddress() async throws {
        let server = try await TestServer.start()
        let configuration = HTTPConfiguration(host: "127.0.0.1", port: server.port)
        do {
            let second = try await HTTPServer.start(
                configuration: configuration, state: FixedAPIState(), feed: WebSocketFeed(logger: TestServer.logger), logger: TestServer.logger)
            await second.stop()
            Issue.record("bound a busy port")
        } catch let error as WebAPIError {
            #expect(error.key == "http.address")
            #expect(error.description.contains("127.0.0.1:\(server.port)"))
        }
        await server.stop()
    }
}
