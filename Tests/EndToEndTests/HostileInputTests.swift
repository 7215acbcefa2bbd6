import Foundation
import Imaging
import MediaIO
import TestSupport
import Testing

/// `ssdd probe` and `ssdd detect` on hostile inputs, run as the release binary: each ends with exit status 1 (never a
/// signal, never 124 or above), the exact message on stderr, and within its timeout plus a margin.
@Suite("Hostile inputs to ssdd probe and ssdd detect, run as a binary", .serialized)
struct HostileInputTests {
    /// The `--timeout` given to every run.
    static let timeout = 2.0
    /// Start-up (and, for detect, loading the model) on a busy machine; a hang exceeds any margin.
    static let margin = ["probe": 8.0, "detect": 20.0]

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        /// Makes the input in the scratch directory; returns the argument to pass.
        let make: @Sendable (_ dir: String) throws -> String
        /// The message after `INPUT: `.
        let message: String
        var runAsNobody = false
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "FIFO behind a .mp4 link, no writer",
            make: { dir in
                guard mkfifo("\(dir)/fifo", 0o600) == 0 else { throw POSIXError(.EEXIST) }
                try FileManager.default.createSymbolicLink(atPath: "\(dir)/x.mp4", withDestinationPath: "\(dir)/fifo")
                return "\(dir)/x.mp4"
            }, message: "cannot open input: no answer within 2.0 s"),
        Case(
            name: "/dev/stdin fed by a process that never writes", make: { _ in "/dev/stdin" },
            message: "cannot open input: no answer within 2.0 s"),
        Case(name: "empty file", make: { dir in try write(dir, "empty.mp4", Data()) }, message: "the file is empty (0 bytes)"),
        Case(
            name: "MP4 cut inside its header",
            make: { dir in
                try write(dir, "cut.mp4", try Data(contentsOf: URL(fileURLWithPath: try clip(dir, "whole.mp4", codec: .h264))).prefix(200))
            }, message: "cannot open input: Invalid data found when processing input (not a video FFmpeg can read, or corrupt)"),
        Case(
            name: "random bytes named .mp4", make: { dir in try write(dir, "random.mp4", HostileMediaFixtures.randomBytes(100_000, seed: 5)) },
            message: "cannot open input: Invalid data found when processing input (not a video FFmpeg can read, or corrupt)"),
        Case(
            name: "stream header claiming 65535×65535",
            make: { dir in try write(dir, "huge.y4m", HostileMediaFixtures.y4m(width: 65535, height: 65535)) },
            message: "cannot open input: not a video FFmpeg can read, or corrupt (FFmpeg: Device or resource busy)"),
        Case(
            name: "stream header claiming 16000×16000",
            make: { dir in try write(dir, "big.y4m", HostileMediaFixtures.y4m(width: 16000, height: 16000)) },
            message:
                "cannot decode the rawvideo stream: the frame size 16000×16000 is larger than this reader accepts (at most 16384 pixels a side and 40000000 pixels)"
        ),
        Case(
            name: "PNG claiming 100000×100000",
            make: { dir in try write(dir, "huge.png", HostileMediaFixtures.png(width: 100_000, height: 100_000)) },
            message: "cannot decode the png stream: no frame size (not a valid image or video, or corrupt)"),
        Case(
            name: "PNG claiming 65535×1", make: { dir in try write(dir, "wide.png", HostileMediaFixtures.png(width: 65535, height: 1)) },
            message:
                "cannot decode the png stream: the frame size 65535×1 is larger than this reader accepts (at most 16384 pixels a side and 40000000 pixels)"
        ),
        Case(
            name: "a codec no FFmpeg decodes",
            make: { dir in
                var data = try Data(contentsOf: URL(fileURLWithPath: try clip(dir, "m.avi", codec: .mpeg4)))
                while let range = data.range(of: Data("FMP4".utf8)) { data.replaceSubrange(range, with: Data("ZZZZ".utf8)) }
                return try write(dir, "zzzz.avi", data)
            }, message: "no decoder for the video stream (video none)"),
        Case(name: "a directory", make: { dir in dir }, message: "is a directory, not a video file"),
        Case(
            name: "a dangling symbolic link",
            make: { dir in
                try FileManager.default.createSymbolicLink(atPath: "\(dir)/gone.mp4", withDestinationPath: "\(dir)/missing.mp4")
                return "\(dir)/gone.mp4"
            }, message: "no such file (a symbolic link to DIR/missing.mp4, which does not exist)"),
        Case(
            name: "a file this user cannot read",
            make: { dir in
                let path = try write(dir, "secret.mp4", Data(count: 1000))
                chmod(path, 0o600)
                return path
            }, message: "permission denied (the file is not readable by this user)", runAsNobody: true),
        Case(
            name: "a Unix socket",
            make: { dir in
                let path = "\(dir)/s.mp4"
                _ = bindUnixSocket(path)
                return path
            }, message: "is a socket, not a video file (network streams are read from URLs such as rtsp:// or tcp://)"),
        Case(
            name: "a URL with an unknown scheme", make: { _ in "foo://camera/stream" },
            message: "cannot open input: unknown URL scheme 'foo' (FFmpeg has no protocol for it)"),
        Case(name: "RTSP to a closed port", make: { _ in "rtsp://127.0.0.1:1/cam" }, message: "cannot open input: Connection refused"),
        Case(
            name: "RTSP to a peer that never answers",
            make: { _ in
                let server = try SilentListener()  // never closed: it must outlive this closure
                return "rtsp://127.0.0.1:\(server.port)/cam"
            }, message: "cannot open input: no answer within 2.0 s"),
    ]

    @Test("probe", arguments: cases)
    func probe(_ c: Case) throws {
        try check(c, command: "probe")
    }

    @Test("detect", arguments: cases)
    func detect(_ c: Case) throws {
        try check(c, command: "detect")
    }

    private func check(_ c: Case, command: String) throws {
        let dir = ScratchDirectory.make("hostile").path
        chmod(dir, 0o755)
        let input = try c.make(dir)
        var arguments = [command, input, "--timeout", String(Self.timeout)]
        if command == "detect" { arguments += ["--model", DaemonTests.modelPath] }
        let silentWriter = Pipe()  // stdin: open, never written
        let result = try Self.run(arguments, asNobody: c.runAsNobody, standardInput: silentWriter)
        try? silentWriter.fileHandleForWriting.close()
        #expect(result.signal == nil, "\(c.name): killed by signal \(result.signal ?? 0)")
        #expect(result.status == 1, "\(c.name): \(result.stderr)")
        #expect(result.stderr == "ssdd: error: \(input): \(c.message.replacingOccurrences(of: "DIR", with: dir))\n", "\(c.name)")
        #expect(result.stdout.isEmpty, "\(c.name)")
        #expect(result.elapsed < Self.timeout + Self.margin[command]!, "\(c.name): took \(result.elapsed) s")
    }

    @Test("a FIFO whose writer stalls part-way: the frames read are counted, the stall is reported within the timeout")
    func stallingWriter() throws {
        let dir = ScratchDirectory.make("hostile").path
        let fifo = "\(dir)/stall.ts"
        #expect(mkfifo(fifo, 0o600) == 0)
        let whole = try Data(contentsOf: URL(fileURLWithPath: try Self.clip(dir, "long.ts", codec: .mpeg4, frames: 60)))
        let half = Data(whole.prefix(whole.count / 2))
        let writer = Thread {
            let descriptor = open(fifo, O_WRONLY)
            half.withUnsafeBytes { _ = Glibc.write(descriptor, $0.baseAddress, $0.count) }
            sleep(60)
            close(descriptor)
        }
        writer.start()
        let result = try Self.run(["probe", fifo, "--timeout", String(Self.timeout)])
        #expect(result.signal == nil && result.status == 1)
        let line = try #require(DaemonHarness.json(result.stdout.trimmingCharacters(in: .newlines)))
        let frames = try #require(line["frameCount"] as? Int)
        #expect(frames > 0 && frames < 60)
        let errors = try #require(line["errors"] as? [String])
        #expect(
            errors.count == 1 && errors[0].hasPrefix("reading failed after ") && errors[0].hasSuffix(" frames: no answer within 2.0 s"), "\(errors)")
        #expect(result.stderr == "ssdd: error: \(fifo): \(errors[0])\n")
        #expect(result.elapsed < Self.timeout + Self.margin["probe"]!)
    }

    @Test("a mid-stream size change is reported in sizeChanges; exit status 0")
    func sizeChange() throws {
        let dir = ScratchDirectory.make("hostile").path
        var data = Data()
        for (width, height) in [(64, 48), (96, 64)] {
            let path = "\(dir)/part-\(width).ts"
            let writer = try VideoWriter(path: path, codec: .mpeg4, width: width, height: height, framesPerSecond: 25, quality: 2)
            for i in 0..<10 { try writer.append(RGBImage(width: width, height: height) { x, y in (UInt8(x * 2), UInt8(y * 3), UInt8(i * 20)) }) }
            try writer.finish()
            data += try Data(contentsOf: URL(fileURLWithPath: path))
        }
        let path = try Self.write(dir, "resize.ts", data)
        let result = try Self.run(["probe", path])
        #expect(result.status == 0, "\(result.stderr)")
        let probe = try JSONDecoder().decode(MediaProbe.self, from: Data(result.stdout.utf8))
        #expect(probe.width == 64 && probe.height == 48 && probe.frameCount == 20)
        #expect(probe.sizeChanges == [FrameSizeChange(frame: 10, width: 96, height: 64)])
        #expect(result.stdout.contains(#""sizeChanges":[{"frame":10,"height":64,"width":96}]"#))
    }

    @Test("the same decoder error on every corrupt packet is printed once, with its count")
    func repeatedErrorOnce() throws {
        let dir = ScratchDirectory.make("hostile").path
        var data = try Data(contentsOf: URL(fileURLWithPath: try Self.clip(dir, "clean.mp4", codec: .h264, frames: 40)))
        let start = try #require(data.range(of: Data("mdat".utf8))).upperBound + 64
        let noise = HostileMediaFixtures.randomBytes(data.count, seed: 5)
        for offset in stride(from: start, to: data.count - 2000, by: 24) { data[offset] = noise[offset] }
        let path = try Self.write(dir, "noisy.mp4", data)
        let result = try Self.run(["probe", path])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(Set(lines).count == lines.count, "\(result.stderr)")
        let skipped = lines.filter { $0.hasPrefix("ssdd: error: \(path): skipped a packet the decoder rejected: ") }
        #expect(skipped.count == 1 && skipped[0].hasSuffix(" times)"), "\(result.stderr)")
    }

    @Test(
        "--timeout must be a number of seconds in (0, 86400]: exit status 64 and the value named",
        arguments: [
            ("inf", "inf"), ("nan", "nan"), ("-1", "-1.0"), ("1e300", "1e+300"), ("0", "0.0"), ("86401", "86401.0"),
        ])
    func badTimeout(_ value: String, _ shown: String) throws {
        for command in ["probe", "detect"] {
            let result = try Self.run([command, "/nonexistent.mp4", "--timeout=\(value)"])
            #expect(result.signal == nil && result.status == 64, "\(command) \(value): \(result.stderr)")
            #expect(
                result.stderr.hasPrefix("Error: --timeout must be a number of seconds greater than 0 and at most 86400, got \(shown)\n"),
                "\(result.stderr)")
        }
    }

    @Test(
        "detect's --threads and --workers out of range: exit status 64 and the bounds named",
        arguments: [
            (["--threads", "0"], "--threads must be between 1 and 256, got 0"),
            (["--threads", "100000"], "--threads must be between 1 and 256, got 100000"),
            (["--threads", "2", "--workers", "3"], "--workers must be between 1 and 2 (--threads 2), got 3"),
            (["--threads", "100", "--workers", "65"], "--workers must be between 1 and 64 (--threads 100), got 65"),
            (["--workers", "0"], "--workers must be between 1 and 1 (--threads 1), got 0"),
        ])
    func badThreadsOrWorkers(_ arguments: [String], _ message: String) throws {
        let result = try Self.run(["detect", "/nonexistent.mp4"] + arguments)
        #expect(result.signal == nil && result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.hasPrefix("Error: \(message)\n"), "\(result.stderr)")
    }

    @Test("the daemon: a live FIFO without a writer reports `lost` at each stall timeout, and SIGTERM stops it")
    func daemonLiveFIFO() throws {
        let dir = ScratchDirectory.make("hostile").path
        #expect(mkfifo("\(dir)/cam.fifo", 0o600) == 0)
        let daemon = try LaunchedDaemon(
            directory: dir,
            config: """
                [model]
                path = "\(DaemonTests.modelPath)"
                [[streams]]
                name = "cam"
                url = "\(dir)/cam.fifo"
                live = true
                stall_timeout = 1
                reconnect_initial = 0.2
                reconnect_max = 0.2
                [output.file]
                path = "\(dir)/out.jsonl"
                """)
        let lost = {
            DaemonHarness.lines("\(dir)/out.jsonl").complete.compactMap(DaemonHarness.json)
                .filter { $0["kind"] as? String == "stream" && $0["state"] as? String == "lost" }
        }
        #expect(DaemonHarness.wait(seconds: 60) { lost().count >= 2 }, "no `lost` records: \(DaemonHarness.lines("\(dir)/out.jsonl").complete)")
        #expect(lost().first?["message"] as? String == "\(dir)/cam.fifo: cannot open input: no answer within 1.0 s")
        let stopping = Date()
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit(seconds: 30), "SIGTERM must stop the daemon")
        #expect(Date().timeIntervalSince(stopping) < 1 + 8, "stops within the stall timeout plus a margin")
        #expect(daemon.terminationReason == .exit && daemon.terminationStatus == 0)
    }

    // MARK: - Running the binary

    struct Result {
        let status: Int32
        /// The signal that ended the process, if one did.
        let signal: Int32?
        let stdout: String
        let stderr: String
        /// Seconds from start to exit.
        let elapsed: Double
    }

    /// Runs the binary (as `nobody` through setpriv when asked), killing it if it outlives a minute.
    static func run(_ arguments: [String], asNobody: Bool = false, standardInput: Pipe? = nil) throws -> Result {
        let process = Process()
        if asNobody {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", BinaryRunner.binary.path] + arguments
        } else {
            process.executableURL = BinaryRunner.binary
            process.arguments = arguments
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = standardInput ?? FileHandle.nullDevice
        let started = Date()
        try process.run()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }  // cancelled as soon as the child has exited
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        group.wait()
        process.waitUntilExit()
        watchdog.cancel()
        let elapsed = Date().timeIntervalSince(started)
        let signaled = process.terminationReason == .uncaughtSignal
        return Result(
            status: signaled ? -1 : process.terminationStatus, signal: signaled ? process.terminationStatus : nil,
            stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self), elapsed: elapsed)
    }

    // MARK: - Hostile files

    @discardableResult
    static func write(_ dir: String, _ name: String, _ data: Data) throws -> String {
        let path = "\(dir)/\(name)"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    static func clip(_ dir: String, _ name: String, codec: VideoWriter.Codec, frames: Int = 10) throws -> String {
        let path = "\(dir)/\(name)"
        let writer = try VideoWriter(path: path, codec: codec, width: 64, height: 48, framesPerSecond: 25, quality: codec == .h264 ? 20 : 2)
        for i in 0..<frames { try writer.append(RGBImage(width: 64, height: 48) { x, y in (UInt8(x * 4), UInt8(y * 5), UInt8(i * 4 % 256)) }) }
        try writer.finish()
        return path
    }

    /// Binds a Unix socket at `path` (left open for the test process's life: it only has to exist).
    static func bindUnixSocket(_ path: String) -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return descriptor
    }
}
