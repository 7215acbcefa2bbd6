import Foundation
import TestSupport
import Testing

/// The live page in a real browser: the release daemon with two looping realtime streams of samples/person.mp4, its
/// `[http]` listener on a free port with a `token_file`, and headless Chromium driven through Debian's chromedriver
/// (W3C WebDriver). One run serves every assertion.
@Suite("The live page in headless Chromium", .serialized)
struct LivePageTests {
    /// What the browser showed, read through `data-*` attributes of the page.
    struct Card: Sendable, Equatable {
        let stream: String
        let state: String
        let imageWidth: Int
        let written: String
    }

    struct Run: Sendable {
        let log: String
        /// The status of `GET /api/v1/streams` without a token.
        let unauthenticatedStatus: String
        /// The text of the prompt the page opened, nil when it asked for nothing.
        let promptText: String?
        /// Whether the page kept the token in sessionStorage.
        let tokenKept: Bool
        let cards: [Card]
        /// Kinds (`track`, `event`, `stream`) of the entries in the event list.
        let eventKinds: [String]
        let eventCount: Int
        let feedStatus: String
        let screenshot: String
        let screenshotBytes: Int
        let exitStatus: Int32?
    }

    static let streams = ["entrance", "lobby"]
    static let token = "5f1d0c6a9b2e4f7a8c3d1e0f2a4b6c8d"

    static let run: Task<Run, any Error> = Task.detached { try await RawSocketClient.offPool { try makeRun() } }

    /// The page's state for the test, as one JSON string.
    static let probeScript = """
        const cards = Array.from(document.querySelectorAll("#streams .card")).map(function (card) {
          const img = card.querySelector("img");
          return { stream: card.dataset.stream || "", state: card.dataset.state || "", imageWidth: img ? img.naturalWidth : 0,
                   written: card.dataset.written || "" };
        });
        const events = Array.from(document.querySelectorAll("#events li")).map(function (li) { return li.dataset.kind || ""; });
        return JSON.stringify({ cards: cards, events: events, count: Number(document.getElementById("events").dataset.count),
                                feed: document.getElementById("status").dataset.feed || "",
                                tokenKept: sessionStorage.getItem("ssdd.token") !== null });
        """

    struct Probe: Decodable {
        struct ProbeCard: Decodable {
            let stream: String
            let state: String
            let imageWidth: Int
            let written: String
        }

        let cards: [ProbeCard]
        let events: [String]
        let count: Int
        let feed: String
        let tokenKept: Bool

        /// Every stream shows a state and a decoded picture, and a track or zone/line event arrived over the feed.
        var isComplete: Bool {
            cards.count == LivePageTests.streams.count && cards.allSatisfy { $0.state == "connected" && $0.imageWidth > 0 }
                && events.contains { $0 == "track" || $0 == "event" }
        }
    }

    static func config(dir: String, port: Int) -> String {
        let sample = BinaryRunner.packageRoot.appendingPathComponent("samples/person.mp4").path
        return """
            [model]
            path = "\(DaemonTests.modelPath)"
            [workers]
            count = 1
            [[streams]]
            name = "entrance"
            url = "\(sample)"
            every = 2
            realtime = true
            loop = true
            [[streams.lines]]
            name = "door"
            points = [[150, 360], [150, 0]]
            [[streams.zones]]
            name = "hall"
            points = [[0, 0], [150, 0], [150, 360], [0, 360]]
            [[streams]]
            name = "lobby"
            url = "\(sample)"
            every = 5
            realtime = true
            loop = true
            [tracker]
            min_hits = 2
            [output.file]
            path = "\(dir)/out.jsonl"
            [http]
            address = "127.0.0.1:\(port)"
            token_file = "\(dir)/token"
            """
    }

    /// chromedriver on a free port. A port found free can be taken before the driver binds it (ephemeral ports are
    /// handed to outgoing connections too, and the other tests make many): then the driver never answers, and another
    /// port is tried.
    static func startDriver(logPath: String) throws -> ChromeDriverProcess {
        for attempt in 1...2 {
            if let driver = try? ChromeDriverProcess(port: DaemonHarness.freePort(), logPath: "\(logPath).\(attempt)", timeout: 30) {
                return driver
            }
        }
        return try ChromeDriverProcess(port: DaemonHarness.freePort(), logPath: "\(logPath).3", timeout: 30)
    }

    static func makeRun() throws -> Run {
        let dir = ScratchDirectory.make("live-page").path
        try "\(token)\n".write(toFile: "\(dir)/token", atomically: true, encoding: .utf8)
        let port = DaemonHarness.freePort()
        let daemon = try LaunchedDaemon(directory: dir, config: config(dir: dir, port: port))
        defer {
            if daemon.isRunning { daemon.send(SIGKILL) }
        }
        guard DaemonHarness.wait(seconds: 180, { !daemon.isRunning || DaemonHarness.isServing(port: port) }), daemon.isRunning else {
            throw WebDriverError(error: "daemon", message: "the daemon did not listen on \(port); log:\n\(daemon.log)")
        }
        let unauthenticated = try RawSocketClient.statusLine(httpGet(port: port, path: "/api/v1/streams"))

        let driver = try Self.startDriver(logPath: "\(dir)/chromedriver.log")
        defer { driver.stop() }
        let capabilities = WebDriverSession.headlessChromium(userDataDirectory: "\(dir)/chromium-profile")
        let session = try WebDriverSession(port: driver.port, capabilities: capabilities)
        defer { try? session.delete() }
        try session.navigate(to: "http://127.0.0.1:\(port)/")

        // The first API call answers 401: the page asks for the token with prompt().
        var promptText: String?
        _ = DaemonHarness.wait(seconds: 60) {
            promptText = try? session.alertText()
            return promptText != nil
        }
        if promptText != nil {
            try session.sendAlertText(token)
            try session.acceptAlert()
        }

        var probe: Probe?
        _ = DaemonHarness.wait(seconds: 240) {
            guard let json = try? session.execute(probeScript) as? String,
                let value = try? JSONDecoder().decode(Probe.self, from: Data(json.utf8))
            else { return false }
            probe = value
            return value.isComplete
        }
        let png = try session.screenshot()
        let screenshot = "\(dir)/live-page.png"
        try png.write(to: URL(fileURLWithPath: screenshot))
        let artifacts = BinaryRunner.packageRoot.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let copy = artifacts.appendingPathComponent("live-page.png")
        try? FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(atPath: screenshot, toPath: copy.path)
        print("live page screenshot: \(screenshot) (copied to \(copy.path))")

        try? session.delete()
        driver.stop()
        daemon.send(SIGTERM)
        let exited = daemon.waitForExit(seconds: 60)
        let cards = (probe?.cards ?? []).map { Card(stream: $0.stream, state: $0.state, imageWidth: $0.imageWidth, written: $0.written) }
        return Run(
            log: daemon.log, unauthenticatedStatus: unauthenticated, promptText: promptText, tokenKept: probe?.tokenKept ?? false,
            cards: cards, eventKinds: probe?.events ?? [], eventCount: probe?.count ?? 0, feedStatus: probe?.feed ?? "",
            screenshot: screenshot, screenshotBytes: png.count, exitStatus: exited ? daemon.terminationStatus : nil)
    }

    /// A plain `GET` without credentials; the whole response.
    static func httpGet(port: Int, path: String) throws -> String {
        let client = try RawSocketClient(port: port)
        defer { client.close() }
        client.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
        return client.readAll().text
    }

    @Test("the API refuses a request without the token and the page asks for it once, then keeps it in sessionStorage")
    func tokenFlow() async throws {
        let run = try await Self.run.value
        #expect(run.unauthenticatedStatus.hasPrefix("HTTP/1.1 401"), "\(run.unauthenticatedStatus)")
        let prompt = try #require(run.promptText, "the page never opened a prompt; log:\n\(run.log)")
        #expect(prompt.localizedCaseInsensitiveContains("token"), "\(prompt)")
        #expect(run.tokenKept)
    }

    @Test("every stream has a card with its state and a loaded picture (naturalWidth > 0)")
    func cards() async throws {
        let run = try await Self.run.value
        #expect(run.cards.map(\.stream) == Self.streams, "\(run.cards)\nlog:\n\(run.log)")
        for card in run.cards {
            #expect(card.state == "connected", "\(card)")
            #expect(card.imageWidth == 480, "\(card): the picture is the 480×360 sample, annotated")
            #expect((Int(card.written) ?? 0) > 0, "\(card)")
        }
    }

    @Test("records arrive over the WebSocket feed and are listed, newest first")
    func events() async throws {
        let run = try await Self.run.value
        #expect(run.feedStatus == "open", "\(run.feedStatus)")
        #expect(run.eventCount == run.eventKinds.count && run.eventCount > 0)
        #expect(run.eventKinds.contains { $0 == "track" || $0 == "event" }, "\(run.eventKinds)\nlog:\n\(run.log)")
        #expect(Set(run.eventKinds).isSubset(of: ["track", "event", "stream"]), "\(run.eventKinds)")
    }

    @Test("a screenshot PNG was saved and the daemon stopped cleanly")
    func screenshotAndShutdown() async throws {
        let run = try await Self.run.value
        let data = try #require(FileManager.default.contents(atPath: run.screenshot))
        #expect(data.count == run.screenshotBytes && data.count > 1000)
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG signature")
        #expect(run.exitStatus == 0, "\(run.log)")
    }
}
