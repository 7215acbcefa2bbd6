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

    @Test(.enabled(if: getuid() != 0, "root can read any file"))
    func permissionDenied() throws {
        let path = try file("secret.mp4", contents: Data([1, 2, 3]))
        chmod(path, 0)
        #expect(open(path) == MediaError(.input, input: path, message: "permission denied (the file is not readable by this user)"))
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
