import MediaIO
import Testing

@Suite("Reader options are validated before anything is opened")
struct ReaderOptionsTests {
    @Test(
        "timeouts outside (0, 86400] or not a number are refused with their value",
        arguments: [
            (Double.infinity, "inf"), (Double.nan, "nan"), (-1, "-1.0"), (1e300, "1e+300"), (0, "0.0"), (86400.5, "86400.5"),
        ])
    func badTimeout(_ seconds: Double, _ shown: String) {
        let expected = "must be a number of seconds greater than 0 and at most 86400, got \(shown)"
        #expect(VideoReaderOptions.timeoutProblem(seconds) == expected)
        #expect(throws: MediaError(.argument, input: "/nonexistent.mp4", message: "timeout \(expected)")) {
            _ = try VideoReader(input: "/nonexistent.mp4", options: VideoReaderOptions(timeout: seconds))
        }
    }

    @Test(arguments: [0.001, 1, 10, 86400])
    func goodTimeout(_ seconds: Double) {
        #expect(VideoReaderOptions.timeoutProblem(seconds) == nil)
    }

    @Test("a tiny timeout still reads a local file (reads from disk are quick)")
    func tinyTimeoutLocalFile() throws {
        let path = try FixtureVideos.make(.mpeg4, extension: "avi", frames: 3)
        let reader = try VideoReader(input: path, options: VideoReaderOptions(timeout: 0.05))
        var frames = 0
        while try reader.nextFrame() != nil { frames += 1 }
        #expect(frames == 3)
    }

    @Test("decoder threads outside 0…64")
    func decoderThreads() {
        #expect(throws: MediaError(.argument, input: "x.mp4", message: "decoder threads must be 0 to 64, got -1")) {
            _ = try VideoReader(input: "x.mp4", options: VideoReaderOptions(decoderThreads: -1))
        }
    }
}
