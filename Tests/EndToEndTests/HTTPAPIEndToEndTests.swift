import Foundation
import MediaIO
import TestSupport
import Testing

/// `[http]` on the release binary: ONE `ssdd run` (a `live = true` stream replaying samples/person.mp4, and a camera
/// with a password in its URL that never answers) shared by every assertion. Every answer is checked against the
/// OpenAPI document (Sources/WebAPI/Resources/openapi.json) with the validator of TestSupport.
@Suite("HTTP API end to end: every endpoint answered and schema-checked, token, pictures, events, redaction, feed")
struct HTTPAPIEndToEndTests {
    static let token = "e2e-token-5f1d9c"
    static let password = "hunter2-e2e"

    /// What the run answered and left behind.
    struct Run: Sendable {
        /// Every answer: method, target, whether the token was sent, status, content type, body.
        struct Answer: Sendable {
            let target: String
            let authorized: Bool
            let status: Int
            let contentType: String
            let body: [UInt8]
            var text: String { String(decoding: body, as: UTF8.self) }
        }

        let answers: [Answer]
        /// Schema problems found (empty when every answer matched the document).
        let problems: [String]
        /// The document's path templates, and those the run requested.
        let templates: Set<String>
        let visited: Set<String>
        /// The first picture of `cam` (200), decoded size.
        let pictureSize: (width: Int, height: Int)?
        /// Lines the WebSocket feed delivered, and whether the shutdown notice ended it.
        let feedLines: [String]
        let feedShutdownNotice: Bool
        let status: Int32
        let log: String

        func answers(_ target: String) -> [Answer] { answers.filter { $0.target == target } }
    }

    // Unsafe: set once (lazily, thread-safely) and only read afterwards.
    nonisolated(unsafe) static let run: Result<Run, any Error> = Result { try makeRun() }

    /// The run, made off the cooperative pool (it blocks on sockets and the daemon for about a minute).
    static func theRun() async throws -> Run {
        try await RawSocketClient.offPool { try Self.run.get() }
    }

    static func makeRun() throws -> Run {
        let dir = ScratchDirectory.make("http-api").path
        let sample = BinaryRunner.packageRoot.appendingPathComponent("samples/person.mp4").path
        try FileManager.default.copyItem(atPath: sample, toPath: "\(dir)/person.mp4")
        try "\(token)\n".write(toFile: "\(dir)/token", atomically: true, encoding: .utf8)
        let documentPath = BinaryRunner.packageRoot.appendingPathComponent("Sources/WebAPI/Resources/openapi.json").path
        let validator = try OpenAPIValidator(document: Array(FileManager.default.contents(atPath: documentPath) ?? Data()))
        let config = """
            [model]
            path = "\(DaemonTests.modelPath)"
            [workers]
            count = 1
            [[streams]]
            name = "cam"
            url = "\(dir)/person.mp4"
            live = true
            fps = 10
            [[streams]]
            name = "door"
            url = "rtsp://admin:\(password)@127.0.0.1:1/stream1"
            reconnect_initial = 0.5
            reconnect_max = 1
            [output.file]
            path = "\(dir)/out.jsonl"
            [http]
            address = "127.0.0.1:0"
            token_file = "\(dir)/token"
            latest_fps = 5
            events = 500
            """
        let daemon = try LaunchedDaemon(directory: dir, config: config)
        var port: Int?
        _ = DaemonHarness.wait(seconds: 120) {
            port = Self.listeningPort(in: daemon.log)
            return port != nil || !daemon.isRunning
        }
        guard let port else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "no 'HTTP API listening' line:\n\(daemon.log)"])
        }
        var answers: [Run.Answer] = []
        var problems: [String] = []
        var visited: Set<String> = []
        let bearer = [("Authorization", "Bearer \(token)")]
        /// One request on a fresh connection, recorded and validated.
        @discardableResult
        func get(_ target: String, authorized: Bool = true) throws -> Run.Answer {
            let client = try HTTPTestClient(port: port)
            defer { client.close() }
            let response = try client.request("GET", target, headers: authorized ? bearer : [])
            let path = String(target.prefix { $0 != "?" })
            let contentType = response.header("content-type") ?? ""
            if let template = validator.template(matching: path) { visited.insert(template) }
            do {
                try validator.validate(method: "GET", path: path, status: response.status, contentType: contentType, body: response.body)
            } catch {
                problems.append("\(target): \(error)")
            }
            let answer = Run.Answer(target: target, authorized: authorized, status: response.status, contentType: contentType, body: response.body)
            answers.append(answer)
            return answer
        }

        try get("/healthz", authorized: false)
        try get("/api/v1/streams", authorized: false)
        try get("/api/v1/streams/door/latest.jpg")
        try get("/api/v1/streams/nosuchstream/latest.jpg")
        try get("/api/v1/streams/nosuchstream")
        // The feed: subscribe to frames and tracks of cam, and read lines while the rest runs.
        let feed = try WebSocketTestClient(port: port, headers: bearer)
        visited.insert("/api/v1/feed")
        try feed.send(text: #"{"streams":["cam"],"kinds":["frame","track"]}"#)
        // Read on a thread of its own until the close frame, so the client never falls behind (a slow consumer).
        let received = FeedLines()
        let feedDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            while let text = try? feed.readText() { received.append(text) }
            feedDone.signal()
        }
        _ = DaemonHarness.wait(seconds: 60) { received.lines.count >= 5 }
        // The picture: 404 until cam's first, then 200.
        var picture: Run.Answer?
        _ = try DaemonHarness.wait(seconds: 60) {
            let answer = try get("/api/v1/streams/cam/latest.jpg")
            if answer.status == 200 { picture = answer }
            return answer.status == 200
        }
        var pictureSize: (Int, Int)?
        if let picture {
            try Data(picture.body).write(to: URL(fileURLWithPath: "\(dir)/latest.jpg"))
            let image = try StillImage.decode("\(dir)/latest.jpg")
            pictureSize = (image.width, image.height)
        }
        // Events: wait for cam's first track records (the sample's person is confirmed within a second or two).
        _ = try DaemonHarness.wait(seconds: 60) { try get("/api/v1/events?kind=track&stream=cam").text.contains("\"kind\":\"track\"") }
        try get("/api/v1/events?limit=1")
        try get("/api/v1/events?since=0&kind=event")
        // door has had time to fail a connection; cam has rates over a few seconds.
        _ = try DaemonHarness.wait(seconds: 30) { try get("/api/v1/streams/door").text.contains("\"error\":\"") }
        try get("/api/v1/streams")
        try get("/api/v1/streams/cam")
        try get("/api/v1/config")
        try get("/api/v1/config", authorized: false)
        try get("/metrics")
        try get("/metrics", authorized: false)
        try get("/api/v1/openapi.json")
        try get("/")
        daemon.send(SIGTERM)
        _ = feedDone.wait(timeout: .now() + 60)
        feed.http.close()
        var feedLines = received.lines
        let shutdownNotice = feedLines.last == #"{"kind":"notice","reason":"shutdown","v":1}"#
        if shutdownNotice { feedLines.removeLast() }
        guard daemon.waitForExit(seconds: 60) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "daemon did not exit"])
        }
        return Run(
            answers: answers, problems: problems, templates: Set(validator.pathTemplates), visited: visited, pictureSize: pictureSize,
            feedLines: feedLines, feedShutdownNotice: shutdownNotice, status: daemon.terminationStatus, log: daemon.log)
    }

    /// The port of the daemon's `HTTP API listening` log line (`address=127.0.0.1:PORT`).
    static func listeningPort(in log: String) -> Int? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("HTTP API listening") }),
            let range = line.range(of: "127.0.0.1:")
        else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    static func json(_ answer: Run.Answer) -> Any? { try? JSONSerialization.jsonObject(with: Data(answer.body)) }

    @Test("every endpoint of the document was requested, every answer matches it, and the daemon stopped cleanly")
    func schema() async throws {
        let run = try await Self.theRun()
        #expect(run.problems.isEmpty, "\(run.problems)")
        #expect(run.visited == run.templates, "not requested: \(run.templates.subtracting(run.visited).sorted())")
        #expect(run.status == 0, "\(run.log)")
    }

    @Test("/healthz needs no token; everything else answers 401 without it")
    func token() async throws {
        let run = try await Self.theRun()
        #expect(run.answers("/healthz").first?.status == 200)
        for answer in run.answers where !answer.authorized && answer.target != "/healthz" {
            #expect(answer.status == 401, "\(answer.target) without the token: \(answer.status)")
        }
        #expect(!run.log.contains(Self.token), "the token was logged")
    }

    @Test("streams: states, redacted URL, the failing camera's error, frame counts and rates")
    func streams() async throws {
        let run = try await Self.theRun()
        let answer = try #require(run.answers("/api/v1/streams").last { $0.authorized })
        #expect(!answer.text.contains(Self.password))
        let streams = try #require((Self.json(answer) as? [String: Any])?["streams"] as? [[String: Any]])
        #expect(streams.map { $0["name"] as? String } == ["cam", "door"])
        let cam = streams[0]
        let door = streams[1]
        #expect(door["url"] as? String == "rtsp://admin:***@127.0.0.1:1/stream1")
        #expect(["lost", "reconnecting"].contains(door["state"] as? String ?? ""), "\(door)")
        #expect((door["error"] as? String)?.isEmpty == false)
        // cam replays the sample: connected, and briefly lost and reconnecting at each end of the file.
        #expect(["connected", "lost", "reconnecting"].contains(cam["state"] as? String ?? ""), "\(cam)")
        let frames = try #require(cam["frames"] as? [String: Int])
        #expect((frames["decoded"] ?? 0) > 0 && (frames["written"] ?? 0) > 0 && (frames["inferred"] ?? 0) > 0)
        #expect(cam["inputFps"] as? Double ?? 0 > 0 && cam["outputFps"] as? Double ?? 0 > 0, "\(cam)")
        #expect((cam["lastFrameTime"] as? Double).map { abs($0 - Date().timeIntervalSince1970) < 600 } == true)
        let one = try #require(run.answers("/api/v1/streams/cam").first)
        #expect((Self.json(one) as? [String: Any])?["name"] as? String == "cam")
        #expect(run.answers("/api/v1/streams/nosuchstream").first?.status == 404)
    }

    @Test("latest.jpg: 404 for a stream without a picture, then cam's annotated JPEG")
    func latestPicture() async throws {
        let run = try await Self.theRun()
        #expect(run.answers("/api/v1/streams/door/latest.jpg").first?.status == 404)
        #expect(run.answers("/api/v1/streams/nosuchstream/latest.jpg").first?.status == 404)
        let picture = try #require(run.answers("/api/v1/streams/cam/latest.jpg").last)
        #expect(picture.status == 200 && picture.contentType.hasPrefix("image/jpeg"))
        #expect(Array(picture.body.prefix(2)) == [0xFF, 0xD8])
        let size = try #require(run.pictureSize)
        #expect(size.width == 480 && size.height == 360)
    }

    @Test("events: the sample's track records, newest first, filtered")
    func events() async throws {
        let run = try await Self.theRun()
        let answer = try #require(run.answers("/api/v1/events?kind=track&stream=cam").last)
        let lines = try #require((Self.json(answer) as? [String: Any])?["events"] as? [[String: Any]])
        #expect(!lines.isEmpty && lines.allSatisfy { $0["kind"] as? String == "track" && $0["stream"] as? String == "cam" })
        let times = lines.compactMap { $0["time"] as? Double }
        #expect(times == times.sorted(by: >))
        let one = try #require(run.answers("/api/v1/events?limit=1").first)
        #expect(((Self.json(one) as? [String: Any])?["events"] as? [Any])?.count == 1)
    }

    @Test("configuration: the running file's keys, no password, no token")
    func configuration() async throws {
        let run = try await Self.theRun()
        let answer = try #require(run.answers("/api/v1/config").first { $0.authorized })
        #expect(answer.status == 200 && !answer.text.contains(Self.password) && !answer.text.contains(Self.token))
        let json = try #require(Self.json(answer) as? [String: Any])
        let http = try #require(json["http"] as? [String: Any])
        #expect((http["token_file"] as? String)?.hasSuffix("/token") == true && http["events"] as? Int == 500)
        let streams = try #require(json["streams"] as? [[String: Any]])
        #expect(streams.last?["url"] as? String == "rtsp://admin:***@127.0.0.1:1/stream1")
    }

    @Test("/metrics on the API's listener; the WebSocket feed delivers lines and the shutdown notice")
    func metricsAndFeed() async throws {
        let run = try await Self.theRun()
        let metrics = try #require(run.answers("/metrics").first { $0.authorized })
        #expect(metrics.status == 200 && metrics.text.contains("ssdd_frames_written_total{stream=\"cam\"}"))
        #expect(metrics.text.contains("ssdd_http_feed_clients"))
        // Until the daemon has read the subscription the client gets every record (the Unix socket's protocol), so on a
        // busy machine a frame can come before the notice; after it, only cam's frames and tracks.
        let notice = try #require(
            run.feedLines.firstIndex(of: #"{"kind":"notice","reason":"subscribed","v":1}"#), "no subscribed notice: \(run.feedLines.prefix(3))")
        let object = { (line: String) in try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] }
        let early = run.feedLines[..<notice].compactMap(object)
        #expect(early.count == notice && early.allSatisfy { $0["kind"] as? String != "notice" }, "\(run.feedLines[..<notice])")
        let records = run.feedLines[(notice + 1)...].compactMap(object)
        #expect(records.count >= 4 && records.allSatisfy { $0["stream"] as? String == "cam" })
        #expect(records.allSatisfy { ["frame", "track"].contains($0["kind"] as? String ?? "") })
        #expect(run.feedShutdownNotice)
    }
}

/// Lines the feed's reader thread received, read by the test's thread.
final class FeedLines: @unchecked Sendable {
    // Unchecked: `storage` is only touched under `lock`.
    private let lock = NSLock()
    private var storage: [String] = []

    func append(_ line: String) { lock.withLock { storage.append(line) } }
    var lines: [String] { lock.withLock { storage } }
}
