import Foundation
import MediaIO
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// FIFOs and pipes: FFmpeg's interrupt callback cannot break a blocking open or read on them, so the reader polls
/// its own descriptor. Each test would hang (or fail with another message) without that.
@Suite("FIFOs and pipes end at the timeout or on cancel")
struct PipeInputTests {
    private let dir = FixtureVideos.temporaryDirectory().path

    private func open(_ input: String, timeout: Double, canceller: ReadCanceller? = nil) -> MediaError? {
        do {
            _ = try VideoReader(input: input, options: VideoReaderOptions(timeout: timeout), canceller: canceller)
            return nil
        } catch {
            return error
        }
    }

    private func fifo(_ name: String) throws -> String {
        let path = "\(dir)/\(name)"
        guard mkfifo(path, 0o600) == 0 else { throw POSIXError(.EEXIST) }
        return path
    }

    /// Writes `data` into the FIFO at `path` on another thread, then waits `hold` seconds before closing it.
    private func feed(_ path: String, _ data: Data, hold: Double = 0) {
        Thread {
            let descriptor = Glibc.open(path, O_WRONLY)
            guard descriptor >= 0 else { return }
            data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
            if hold > 0 { usleep(UInt32(hold * 1_000_000)) }
            close(descriptor)
        }.start()
    }

    @Test("a FIFO behind a .mp4 symbolic link with no writer: the open gives up at the timeout")
    func fifoWithoutWriter() throws {
        let path = try fifo("no-writer")
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/x.mp4", withDestinationPath: path)
        #expect(
            open("\(dir)/x.mp4", timeout: 0.5)
                == MediaError(.timeout, input: "\(dir)/x.mp4", message: "cannot open input: no answer within 0.5 s", code: -1_414_092_869))
    }

    @Test("a pipe whose writer never writes (like /dev/stdin fed by a silent process)")
    func silentPipe() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        let input = "/dev/fd/\(ends[0])"
        #expect(open(input, timeout: 0.5)?.message == "cannot open input: no answer within 0.5 s")
        #expect(open("pipe:\(ends[0])", timeout: 0.5)?.message == "cannot open input: no answer within 0.5 s")
    }

    @Test("a writer that connects and leaves without a byte")
    func writerLeavesEmpty() throws {
        let path = try fifo("empty")
        feed(path, Data())
        #expect(
            open(path, timeout: 5) == MediaError(.format, input: path, message: "cannot open input: the stream ended before any data (0 bytes read)"))
    }

    @Test("a whole clip through a FIFO decodes like the file")
    func wholeClip() throws {
        let clip = try Data(contentsOf: URL(fileURLWithPath: try FixtureVideos.make(.mpeg4, extension: "ts", frames: 20)))
        let path = try fifo("clip")
        feed(path, clip)
        let reader = try VideoReader(input: path, options: VideoReaderOptions(timeout: 5))
        var frames = 0
        while try reader.nextFrame() != nil { frames += 1 }
        #expect(frames == 20)
        #expect(reader.info.codec == "mpeg4" && reader.info.width == 64)
    }

    @Test("a writer that stalls part-way: the frames read are handed out, then the stall is reported")
    func stallMidStream() throws {
        let clip = try Data(contentsOf: URL(fileURLWithPath: try FixtureVideos.make(.mpeg4, extension: "ts", frames: 50)))
        let path = try fifo("stall")
        feed(path, clip.prefix(clip.count / 2), hold: 30)
        let reader = try VideoReader(input: path, options: VideoReaderOptions(timeout: 0.5))
        var frames = 0
        do {
            while try reader.nextFrame() != nil { frames += 1 }
            Issue.record("the stall must end in an error")
        } catch {
            #expect(error.kind == .timeout)
            #expect(error.message.hasPrefix("reading failed after "), "\(error)")
            #expect(error.message.hasSuffix(" frames: no answer within 0.5 s"), "\(error)")
        }
        #expect(frames > 0 && frames < 50)
    }

    @Test("a canceller made before the reader stops the open itself")
    func cancelDuringOpen() throws {
        let path = try fifo("cancel")
        let canceller = ReadCanceller()
        Thread {
            usleep(200_000)
            canceller.cancel()
        }.start()
        #expect(open(path, timeout: 3600, canceller: canceller)?.message == "cannot open input: cancelled")
        #expect(canceller.isCancelled)
    }

    @Test("cancelling a reader blocked in a read of a silent FIFO")
    func cancelDuringRead() throws {
        let clip = try Data(contentsOf: URL(fileURLWithPath: try FixtureVideos.make(.mpeg4, extension: "ts", frames: 50)))
        let path = try fifo("cancel-read")
        feed(path, clip.prefix(clip.count / 2), hold: 30)
        let reader = try VideoReader(input: path, options: VideoReaderOptions(timeout: 3600))
        let canceller = reader.canceller
        Thread {
            usleep(300_000)
            canceller.cancel()
        }.start()
        do {
            while try reader.nextFrame() != nil {}
            Issue.record("the cancel must end in an error")
        } catch {
            #expect(error.kind == .timeout)
            #expect(error.message.hasSuffix(" frames: cancelled"), "\(error)")
        }
    }

    @Test("random bytes through a FIFO")
    func randomBytes() throws {
        let path = try fifo("random")
        feed(path, HostileMediaFixtures.randomBytes(200_000, seed: 11))
        #expect(
            open(path, timeout: 5)?.message == "cannot open input: Invalid data found when processing input (not a video FFmpeg can read, or corrupt)"
        )
    }
}
