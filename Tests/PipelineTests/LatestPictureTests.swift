import Foundation
import Imaging
import MediaIO
import Sinks
import TestSupport
import Testing

@testable import Pipeline

@Suite("Latest pictures for the API: the same bytes as latest.jpg, or made in memory only")
struct LatestPictureTests {
    static let stream = SnapshotRecorderTests.stream

    /// Runs `frames` (frame index, detections' track ids, decode time in ns) through a recorder of `writer`, then the
    /// writer to its end.
    static func feed(_ writer: SnapshotWriter, frames: [(Int, [Int], UInt64)]) -> [TrackRecord] {
        var recorder = SnapshotRecorder(stream: 0, configuration: Self.stream, writer: writer)
        var ended: [TrackRecord] = []
        for (index, tracks, time) in frames {
            var frame = SnapshotRecorderTests.frame(index, tracks.map { SnapshotRecorderTests.detection(track: $0, score: 0.9) })
            recorder.observe(&frame, pixels: FramePixels(SnapshotRecorderTests.image(UInt8(index * 20))), decodedNanoseconds: time)
        }
        ended.append(recorder.close(SnapshotRecorderTests.end(1)))
        writer.finish()
        writer.run()
        return ended
    }

    @Test("[http] without [output.snapshots]: latest pictures in memory at latest_fps, no files, no track pictures")
    func memoryOnly() throws {
        let store = LatestPictures()
        let latest = LatestPicturePolicy.withAPI(snapshots: nil, framesPerSecond: 2, store: store)
        #expect(!latest.writesFile && latest.interval == 500_000_000)
        let memory = SnapshotConfiguration(directory: "", crop: false, latest: true, latestFramesPerSecond: 2, retainDays: 0)
        let writer = SnapshotWriter(configuration: memory, latest: latest, tracks: false, streamNames: ["cam"], logger: Fakes.logger)
        #expect(store.picture(stream: "cam") == nil, "nothing before the first picture")
        let ended = Self.feed(writer, frames: [(0, [1], 0), (1, [1], 100_000_000), (2, [1], 600_000_000)])
        #expect(ended[0].snapshot == nil && ended[0].crop == nil, "no track pictures")
        #expect(writer.counts == [SnapshotWriter.Counts(written: 1, failed: 0, dropped: 1)], "frame 2's picture replaced frame 0's in the queue")
        let bytes = try #require(store.picture(stream: "cam"))
        #expect(Array(bytes.prefix(2)) == [0xFF, 0xD8] && Array(bytes.suffix(2)) == [0xFF, 0xD9])
        let file = ScratchDirectory.make("latest-memory").appendingPathComponent("x.jpg")
        try Data(bytes).write(to: file)
        let image = try StillImage.decode(file.path)
        #expect(image.width == 32 && image.height == 24 && abs(Int(image[28, 20].0) - 40) < 8, "frame 2 (grey 40)")
    }

    @Test("memory-only retention keeps pixels only when a latest picture is due, not for every detection")
    func memoryRetention() {
        let store = LatestPictures()
        let latest = LatestPicturePolicy.withAPI(snapshots: nil, framesPerSecond: 1, store: store)
        let writer = SnapshotWriter(
            configuration: SnapshotConfiguration(directory: ""), latest: latest, tracks: false, streamNames: ["cam"], logger: Fakes.logger)
        let retention = FrameRetention(writer: writer, streamCount: 1)
        #expect(retention.keepsPixels(stream: 0, hasDetections: true, decodedNanoseconds: 0))
        #expect(!retention.keepsPixels(stream: 0, hasDetections: true, decodedNanoseconds: 500_000_000))
        #expect(retention.keepsPixels(stream: 0, hasDetections: false, decodedNanoseconds: 1_000_000_000))
    }

    @Test("with [output.snapshots] latest = true the API holds the very bytes of latest.jpg")
    func sameBytes() throws {
        let store = LatestPictures()
        let snapshots = SnapshotConfiguration(directory: ScratchDirectory.make("latest-files").path, latest: true, latestFramesPerSecond: 4)
        let latest = LatestPicturePolicy.withAPI(snapshots: snapshots, framesPerSecond: 1, store: store)
        #expect(latest.writesFile && latest.interval == 250_000_000)
        let writer = SnapshotWriter(configuration: snapshots, latest: latest, tracks: true, streamNames: ["cam"], logger: Fakes.logger)
        try writer.createDirectories()
        let ended = Self.feed(writer, frames: [(0, [1], 0)])
        #expect(ended[0].snapshot != nil, "track pictures still written")
        let file = try #require(FileManager.default.contents(atPath: "\(snapshots.directory)/cam/latest.jpg"))
        #expect(store.picture(stream: "cam") == Array(file))
    }

    @Test("with [output.snapshots] latest = false the API's pictures are made in memory at [http] latest_fps")
    func snapshotsWithoutLatest() throws {
        let store = LatestPictures()
        let snapshots = SnapshotConfiguration(directory: ScratchDirectory.make("latest-off").path, latest: false)
        let latest = LatestPicturePolicy.withAPI(snapshots: snapshots, framesPerSecond: 3, store: store)
        #expect(!latest.writesFile && latest.interval == 333_333_333)
        let writer = SnapshotWriter(configuration: snapshots, latest: latest, tracks: true, streamNames: ["cam"], logger: Fakes.logger)
        try writer.createDirectories()
        _ = Self.feed(writer, frames: [(0, [1], 0)])
        #expect(store.picture(stream: "cam") != nil)
        #expect(!FileManager.default.fileExists(atPath: "\(snapshots.directory)/cam/latest.jpg"))
    }
}
