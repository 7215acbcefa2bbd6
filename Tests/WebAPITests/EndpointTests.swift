import Foundation
import TestSupport
import Testing
import WebAPI

/// Every endpoint over real HTTP, each answer validated against the OpenAPI document the server serves.
@Suite struct EndpointTests {
    /// One request and the status it must get.
    struct Case: Sendable, CustomTestStringConvertible {
        let target: String
        let status: Int
        var testDescription: String { "GET \(target) → \(status)" }
    }

    /// The requests every documented path is exercised with (the feed is exercised in `WebSocketFeedTests` and
    /// below with its non-upgrade answer).
    static let cases: [Case] = [
        Case(target: "/healthz", status: 200),
        Case(target: "/", status: 200),
        Case(target: "/api/v1/openapi.json", status: 200),
        Case(target: "/api/v1/streams", status: 200),
        Case(target: "/api/v1/streams/", status: 200),
        Case(target: "/api/v1/streams/cam%201", status: 200),
        Case(target: "/api/v1/streams/file", status: 200),
        Case(target: "/api/v1/streams/nope", status: 404),
        Case(target: "/api/v1/streams/cam%201/latest.jpg", status: 200),
        Case(target: "/api/v1/streams/file/latest.jpg", status: 404),
        Case(target: "/api/v1/streams/nope/latest.jpg", status: 404),
        Case(target: "/api/v1/events", status: 200),
        Case(target: "/api/v1/events?stream=cam+1&kind=event&since=1767225600.5&limit=10", status: 200),
        Case(target: "/api/v1/events?kind=track&limit=1", status: 200),
        Case(target: "/api/v1/events?limit=0", status: 400),
        Case(target: "/api/v1/config", status: 200),
        Case(target: "/metrics", status: 200),
        Case(target: "/api/v1/feed", status: 426),
    ]

    @Test(arguments: cases)
    func answerMatchesTheDocument(_ testCase: Case) async throws {
        let server = try await TestServer.start()
        let response = try await server.request("GET", testCase.target)
        #expect(response.status == testCase.status, "\(response.text)")
        let path = String(testCase.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        let decodedPath = path.removingPercentEncoding ?? path
        try openAPI.validate(
            method: "GET", path: decodedPath.count > 1 && decodedPath.hasSuffix("/") ? String(decodedPath.dropLast()) : decodedPath,
            status: response.status, contentType: response.header("Content-Type") ?? "", body: response.body)
        #expect(response.header("X-Content-Type-Options") == "nosniff")
        #expect(response.header("Referrer-Policy") == "no-referrer")
        if path.hasPrefix("/api/") || path == "/metrics" || path == "/healthz" {
            #expect(response.header("Cache-Control") == "no-store")
        }
        await server.stop()
    }

    @Test func everyDocumentedPathHasATest() {
        let covered = Set(
            Self.cases.compactMap { testCase -> String? in
                let path = String(testCase.target.split(separator: "?")[0])
                return openAPI.template(matching: path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)
            })
        #expect(covered == Set(openAPI.pathTemplates), "untested: \(Set(openAPI.pathTemplates).subtracting(covered).sorted())")
    }

    @Test func answersCarryTheirContent() async throws {
        let server = try await TestServer.start()
        let streams = try JSONValue(parsing: try await server.request("GET", "/api/v1/streams").body)
        #expect(streams["streams"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["cam 1", "file"])
        let picture = try await server.request("GET", "/api/v1/streams/cam%201/latest.jpg")
        #expect(picture.body == FixedAPIState.picture)
        #expect(picture.header("Content-Type") == "image/jpeg")
        #expect(picture.header("Cache-Control") == "no-store")
        let page = try await server.request("GET", "/", headers: [])
        #expect(page.body == EmbeddedResources.page)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.header("Content-Security-Policy")?.hasPrefix("default-src 'self'; img-src 'self' blob:") == true)
        let document = try await server.request("GET", "/api/v1/openapi.json")
        #expect(document.body == EmbeddedResources.openAPIDocument)
        let metrics = try await server.request("GET", "/metrics")
        #expect(metrics.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        #expect(metrics.text.contains("ssdd_frames_decoded_total{stream=\"cam 1\"} 1520"))
        let configuration = try await server.request("GET", "/api/v1/config")
        #expect(configuration.body == FixedAPIState().configurationJSON())
        await server.stop()
    }

    @Test func eventsAreTheRecordsNewestFirstSplicedAsWritten() async throws {
        let server = try await TestServer.start()
        let state = FixedAPIState()
        let all = try await server.request("GET", "/api/v1/events")
        let expected = "{\"events\":[" + state.records.map { String(decoding: $0.payload, as: UTF8.self) }.joined(separator: ",") + "]}"
        #expect(all.text == expected)
        let events = try await server.request("GET", "/api/v1/events?kind=event")
        #expect(try JSONValue(parsing: events.body)["events"]?.arrayValue?.map { $0["kind"] } == [.string("event")])
        let limited = try await server.request("GET", "/api/v1/events?limit=2&stream=cam%201")
        #expect(try JSONValue(parsing: limited.body)["events"]?.arrayValue?.count == 2)
        let since = try await server.request("GET", "/api/v1/events?since=1767225601.5")
        #expect(try JSONValue(parsing: since.body)["events"]?.arrayValue?.count == 1)
        await server.stop()
    }

    @Test func headAnswersLikeGetWithoutBody() async throws {
        let server = try await TestServer.start()
        let port = server.port
        let (get, head) = try await RawSocketClient.offPool {
            let client = try HTTPTestClient(port: port)
            defer { client.close() }
            let head = try client.request("HEAD", "/api/v1/streams", headers: TestServer.authorization)
            let get = try client.request("GET", "/api/v1/streams", headers: TestServer.authorization)
            return (get, head)
        }
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Length") == String(get.body.count))
        #expect(head.header("Content-Type") == get.header("Content-Type"))
        await server.stop()
    }

    @Test func keepAliveServesManyRequestsOnOneConnection() async throws {
        let server = try await TestServer.start()
        let port = server.port
        let statuses = try await RawSocketClient.offPool {
            let client = try HTTPTestClient(port: port)
            defer { client.close() }
            return try (0..<50).map { index in
                try client.request("GET", index % 2 == 0 ? "/healthz" : "/api/v1/streams/file", headers: TestServer.authorization).status
            }
        }
        #expect(statuses == Array(repeating: 200, count: 50))
        #expect(server.server.connectionCount <= 1)
        await server.stop()
    }

    @Test func connectionCloseIsHonoured() async throws {
        let server = try await TestServer.start()
        let port = server.port
        let (response, closed) = try await RawSocketClient.offPool {
            let client = try HTTPTestClient(port: port)
            defer { client.close() }
            let response = try client.request("GET", "/healthz", headers: [("Connection", "close")])
            return (response, client.isClosedByServer())
        }
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        #expect(closed)
        await server.stop()
    }
}
