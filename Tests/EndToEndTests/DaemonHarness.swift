import Foundation
import Imaging
import MediaIO
import Testing

/// Helpers for the daemon end-to-end tests: fixture clips from a real photo, an ffmpeg live server, line polling.
enum DaemonHarness {
    /// A clip panning across darknet's person.jpg (a woman, a dog, a horse): `frames` frames of 320×240.
    static func makeClip(_ path: String, frames: Int, fps: Int = 25) throws {
        let reader = try VideoReader(input: "/usr/share/darknet/data/person.jpg")
        let photo = try #require(try reader.nextFrame()).image
        let writer = try VideoWriter(path: path, codec: .h264, width: 320, height: 240, framesPerSecond: fps, quality: 20)
        for i in 0..<frames {
            let left = min(i * 4, photo.width - 320)
            let top = 60
            try writer.append(RGBImage(width: 320, height: 240) { x, y in photo[x + left, y + top] })
        }
        try writer.finish()
    }

    /// A free TCP port on loopback (bound, read, released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// `ffmpeg -re -stream_loop -1 -i CLIP -c copy -f mpegts -listen 1 http://127.0.0.1:PORT/live.ts`: a live HTTP
    /// source that serves one client in real time until killed.
    static func startLiveServer(clip: String, port: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-nostdin", "-v", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "mpegts", "-listen", "1", "http://127.0.0.1:\(port)/live.ts"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
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
        let ok = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
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
