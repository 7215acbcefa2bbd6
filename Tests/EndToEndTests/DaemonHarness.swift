import Foundation
import Imaging
import MediaIO
import TestSupport
import Testing

/// Helpers for the daemon end-to-end tests: fixture clips from a real photo, an ffmpeg live server, line polling.
enum DaemonHarness {
    /// A clip panning across darknet's person.jpg (a woman, a dog, a horse): `frames` frames of 320×240, in the
    /// container `path`'s extension names (`.mp4`, `.ts`, …).
    static func makeClip(_ path: String, frames: Int, fps: Int = 25, codec: VideoWriter.Codec = .h264) throws {
        let reader = try VideoReader(input: "/usr/share/darknet/data/person.jpg")
        let photo = try #require(try reader.nextFrame()).image
        let writer = try VideoWriter(path: path, codec: codec, width: 320, height: 240, framesPerSecond: fps, quality: codec == .h264 ? 20 : 2)
        for i in 0..<frames {
            let left = min(i * 4, photo.width - 320)
            let top = 60
            try writer.append(RGBImage(width: 320, height: 240) { x, y in photo[x + left, y + top] })
        }
        try writer.finish()
    }

    /// A free TCP port on loopback, below the ephemeral range (``LoopbackPort``).
    static func freePort() -> Int { LoopbackPort.unused() }

    /// `ffmpeg -re -stream_loop -1 -i CLIP -c copy -f mpegts -listen 1 http://127.0.0.1:PORT/live.ts`: a live HTTP
    /// source that serves one client in real time until killed. Returns once ffmpeg listens on the port (read from
    /// /proc/net/tcp: a test connection would use up its single client); throws if ffmpeg exits or never listens.
    ///
    /// Up to three attempts of 20 s each: when a client (a daemon reconnecting with back-off) connects and gives up
    /// before ffmpeg serves it, the single-client ffmpeg is left neither listening nor serving (one CI run saw this for
    /// a whole minute after a restart); a fresh ffmpeg on the same port takes the next attempt.
    static func startLiveServer(clip: String, port: Int) throws -> ChildProcess {
        var failures: [String] = []
        for attempt in 1...3 {
            switch try startLiveServerOnce(clip: clip, port: port, attempt: attempt) {
            case .success(let process): return process
            case .failure(let failure): failures.append(failure.description)
            }
        }
        throw ServerStartFailure(description: failures.joined(separator: "; "))
    }

    private static func startLiveServerOnce(clip: String, port: Int, attempt: Int) throws -> Result<ChildProcess, ServerStartFailure> {
        // ChildProcess (posix_spawn + waitpid), not Foundation's Process: under load Process.isRunning was seen false
        // for a live ffmpeg, failing the start and leaking the server.
        // ffmpeg's messages go to a file beside the clip, named in the error when it does not come up.
        let log = clip + ".ffmpeg-\(port)-\(attempt).log"
        let command =
            "exec /usr/bin/ffmpeg -nostdin -v error -re -stream_loop -1 -i '\(clip)' -c copy -f mpegts -listen 1 "
            + "http://127.0.0.1:\(port)/live.ts 2>'\(log)'"
        let process = try ChildProcess("/bin/sh", ["-c", command])
        let listening = wait(seconds: 20) { !process.isRunning || isServing(port: port) }
        guard listening, process.isRunning else {
            let running = process.isRunning
            process.send(SIGKILL)
            let status = process.waitForExit()
            let messages = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let state = running ? "still running, not listening" : "exited with wait status \(status)"
            return .failure(ServerStartFailure(description: "ffmpeg did not listen on port \(port) (attempt \(attempt), \(state)): \(messages)"))
        }
        return .success(process)
    }

    struct ServerStartFailure: Error, CustomStringConvertible, Sendable {
        let description: String
    }

    /// Whether a socket on local TCP `port` (any address, IPv4 or IPv6) is listening, or already has a client: with
    /// `-listen 1` ffmpeg closes its listening socket once a client (a reconnecting daemon) is accepted. From
    /// /proc/net/tcp*.
    static func isServing(port: Int) -> Bool {
        let portField = ":" + String(format: "%04X", port)
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            // "  sl  local_address rem_address   st …": local address is IP:PORT in hex, st 0A is LISTEN, 01 ESTABLISHED.
            for row in text.split(separator: "\n").dropFirst() {
                let fields = row.split(separator: " ")
                if fields.count > 3, fields[1].hasSuffix(portField), fields[3] == "0A" || fields[3] == "01" { return true }
            }
        }
        return false
    }

    /// Polls `condition` every 50 ms until it holds or `seconds` pass; returns whether it held.
    static func wait(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    /// The complete lines of a file (a trailing partial line is returned separately).
    static func lines(_ path: String) -> (complete: [String], partial: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return ([], "") }
        let text = String(decoding: data, as: UTF8.self)
        var parts = text.components(separatedBy: "\n")
        let partial = parts.removeLast()
        return (parts, partial)
    }

    static func json(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }
}

/// A Unix-socket client that records every line it receives, on its own thread.
final class SocketSubscriber: @unchecked Sendable {
    // `received` is guarded by `lock`; the descriptor is only read by the reader thread after init.
    private let fd: Int32
    private let lock = NSLock()
    private var buffer = Data()
    private let finished = DispatchSemaphore(value: 0)

    init(path: String, subscription: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard ok == 0 else { throw POSIXError(.ECONNREFUSED) }
        let line = Array((subscription + "\n").utf8)
        _ = line.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                lock.withLock { buffer.append(contentsOf: chunk[0..<n]) }
            }
            close(fd)
            finished.signal()
        }.start()
    }

    var lines: [String] {
        lock.withLock { String(decoding: buffer, as: UTF8.self) }.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// Waits for the server to close the connection.
    func waitForClose(seconds: Double) -> Bool { finished.wait(timeout: .now() + seconds) == .success }
}

extension DaemonHarness {
    /// `GET /metrics` from the daemon's metrics listener on 127.0.0.1:`port`: the response body.
    static func scrapeMetrics(port: Int) throws -> String {
        let client = try RawSocketClient(port: port)
        client.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let response = client.readAll().text
        guard RawSocketClient.statusLine(response) == "HTTP/1.1 200 OK", let head = response.range(of: "\r\n\r\n") else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "unexpected /metrics response: \(response)"])
        }
        return String(response[head.upperBound...])
    }

    /// The value of the sample of metric `name` whose labels include `stream="…"`, from Prometheus text.
    static func metric(_ text: String, _ name: String, stream: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + "{") && $0.contains("stream=\"\(stream)\"") }
            .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
    }
}

/// `ssdd subscribe --socket PATH OPTIONS…` as a child process, its stdout and stderr in files of the test's directory.
final class SubscribeProcess {
    let process = Process()
    private let stdoutPath: String
    private let stderrPath: String

    /// The notice the daemon sends once it accepted the subscription line.
    static let subscribedNotice = #"{"kind":"notice","reason":"subscribed","v":1}"#
    /// The notice the daemon sends when it stops.
    static let shutdownNotice = #"{"kind":"notice","reason":"shutdown","v":1}"#

    init(socket: String, options: [String], directory: String, name: String) throws {
        stdoutPath = "\(directory)/\(name).out"
        stderrPath = "\(directory)/\(name).err"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = BinaryRunner.binary
        process.arguments = ["subscribe", "--socket", socket] + options
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The complete lines printed so far.
    var lines: [String] { DaemonHarness.lines(stdoutPath).complete }
    /// What it printed on stderr.
    var stderr: String { String(decoding: FileManager.default.contents(atPath: stderrPath) ?? Data(), as: UTF8.self) }

    /// Waits up to `seconds` for the daemon's "subscribed" notice.
    func waitUntilSubscribed(seconds: Double) -> Bool {
        DaemonHarness.wait(seconds: seconds) { lines.contains(Self.subscribedNotice) }
    }

    /// Waits up to `seconds` for the process to exit; returns whether it did.
    func waitForExit(seconds: Double) -> Bool {
        guard DaemonHarness.wait(seconds: seconds, { !process.isRunning }) else { return false }
        process.waitUntilExit()
        return true
    }
}
