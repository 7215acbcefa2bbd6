import Foundation
import MediaIO
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Bad inputs get a clear error, never a crash or a hang")
struct BadInputTests {
    private func open(_ input: String, timeout: Double = 10) -> MediaError? {
        do {
            _ = try VideoReader(input: input, options: VideoReaderOptions(timeout: timeout))
            return nil
        } catch {
            return error
        }
    }

    private func file(_ name: String, contents: Data) throws -> String {
        let url = FixtureVideos.temporaryDirectory().appendingPathComponent(name)
        try contents.write(to: url)
        return url.path
    }

    @Test func missingFile() {
        #expect(open("/nonexistent/clip.mp4") == MediaError(.input, input: "/nonexistent/clip.mp4", message: "no such file"))
    }

    @Test func directory() {
        let dir = FixtureVideos.temporaryDirectory().path
        #expect(open(dir) == MediaError(.input, input: dir, message: "is a directory, not a video file"))
    }

    @Test func emptyFile() throws {
        let path = try file("empty.mp4", contents: Data())
        #expect(open(path) == MediaError(.input, input: path, message: "the file is empty (0 bytes)"))
    }

    /// A file nobody but root may read (mode 0) and a file inside a directory nobody but root may search (mode 0);
    /// returns their paths and the directory's (to make it removable again).
    private func unreadableInputs() throws -> (file: String, hidden: String, directory: String) {
        let path = try file("secret.mp4", contents: Data([1, 2, 3]))
        chmod(path, 0)
        let directory = FixtureVideos.temporaryDirectory().appendingPathComponent("private")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let hidden = directory.appendingPathComponent("clip.mp4").path
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: hidden))
        chmod(directory.path, 0)
        return (path, hidden, directory.path)
    }

    /// Root may open any file, so as root (CI) the check runs in a copy of this test process started as user nobody
    /// (uid/gid 65534, no supplementary groups) by util-linux's `setpriv`; it runs only
    /// ``permissionDeniedAsAnotherUser()``, which the environment enables, and must report that test as passed.
    @Test func permissionDenied() throws {
        let inputs = try unreadableInputs()
        defer { chmod(inputs.directory, 0o700) }
        guard getuid() == 0 else {
            try checkPermissionDenied(file: inputs.file, hidden: inputs.hidden)
            return
        }
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let setpriv = try #require(
            ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "util-linux setpriv is needed to run this test as root")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: setpriv)
        child.arguments = [
            "--reuid=65534", "--regid=65534", "--clear-groups", "--", executable,
            "--testing-library", "swift-testing", "--filter", "BadInputTests/permissionDeniedAsAnotherUser",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["SSDD_UNREADABLE_FILE"] = inputs.file
        environment["SSDD_UNSEARCHABLE_FILE"] = inputs.hidden
        environment["HOME"] = "/tmp"
        environment["TMPDIR"] = "/tmp"
        child.environment = environment
        let output = Pipe()
        child.standardOutput = output
        child.standardError = output
        try child.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        #expect(child.terminationStatus == 0, "\(text)")
        #expect(text.contains("Test permissionDeniedAsAnotherUser() passed"), "\(text)")
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["SSDD_UNREADABLE_FILE"] != nil, "started by permissionDenied()"))
    func permissionDeniedAsAnotherUser() throws {
        #expect(getuid() != 0)
        let environment = ProcessInfo.processInfo.environment
        try checkPermissionDenied(
            file: try #require(environment["SSDD_UNREADABLE_FILE"]), hidden: try #require(environment["SSDD_UNSEARCHABLE_FILE"]))
    }

    private func checkPermissionDenied(file: String, hidden: String) throws {
        #expect(open(file) == MediaError(.input, input: file, message: "permission denied (the file is not readable by this user)"))
        #expect(
            open(hidden) == MediaError(.input, input: hidden, message: "permission denied (a directory on the path cannot be searched by this user)"))
    }

    @Test func textFile() throws {
        let path = try file("notes.txt", contents: Data("this is not a video\n".utf8))
        let error = try #require(open(path))
        #expect(error.kind == .format)
        #expect(error.message == "cannot open input: Invalid data found when processing input (not a video FFmpeg can read, or corrupt)")
    }

    @Test func audioOnly() throws {
        // A valid 0.1 s mono 8 kHz PCM WAV file.
        var wav = Data("RIFF".utf8)
        let samples = 800
        func le32(_ v: Int) -> Data { withUnsafeBytes(of: UInt32(v).littleEndian) { Data($0) } }
        func le16(_ v: Int) -> Data { withUnsafeBytes(of: UInt16(v).littleEndian) { Data($0) } }
        wav += le32(36 + samples * 2) + Data("WAVEfmt ".utf8) + le32(16) + le16(1) + le16(1) + le32(8000) + le32(16000) + le16(2) + le16(16)
        wav += Data("data".utf8) + le32(samples * 2) + Data(count: samples * 2)
        let path = try file("tone.wav", contents: wav)
        #expect(open(path) == MediaError(.unsupported, input: path, message: "no video stream (found: audio pcm_s16le)", code: -1_381_258_232))
    }

    @Test("a truncated file: the frames that are there are decoded, then the loss is reported")
    func truncated() throws {
        let path = try FixtureVideos.make(.mpeg4, extension: "avi", frames: 50)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = try file("cut.avi", contents: data.prefix(data.count / 2))
        let probe = try MediaProbe.probe(cut, decode: true)
        let frames = try #require(probe.frameCount)
        #expect(frames > 0 && frames < 50)
        #expect(probe.errors.contains("the stream ended after \(frames) of the 50 frames the container declares (truncated?)"))
    }

    @Test("a network peer that accepts but never answers times out")
    func silentPeer() throws {
        let server = try SilentListener()
        defer { server.close() }
        let url = "http://127.0.0.1:\(server.port)/stream.ts"
        let started = Date()
        let error = try #require(open(url, timeout: 1))
        #expect(error == MediaError(.timeout, input: url, message: "cannot open input: no answer within 1.0 s", code: error.code))
        #expect(Date().timeIntervalSince(started) < 8, "must not hang")
    }

    @Test func refusedConnection() throws {
        let error = try #require(open("rtsp://127.0.0.1:1/cam", timeout: 2))
        #expect(error.message == "cannot open input: Connection refused")
    }
}
