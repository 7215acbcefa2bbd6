import Events
import Foundation
import Geometry
import Imaging
import MediaIO
import Sinks
import TestSupport
import Testing

@testable import Pipeline

@Suite("Snapshots: which frames are kept, named and queued")
struct SnapshotRecorderTests {
    static let stream = StreamConfiguration(name: "cam", url: "x.mp4", live: false)

    static func image(_ shade: UInt8) -> RGBImage {
        RGBImage(width: 32, height: 24, pixels: [UInt8](repeating: shade, count: 32 * 24 * 3))
    }

    static func detection(track: Int?, score: Double) -> DetectionRecord {
        DetectionRecord(trackID: track, label: "person", classIndex: 1, score: score, box: Box(x1: 2, y1: 3, x2: 12, y2: 20))
    }

    static func frame(_ index: Int, _ detections: [DetectionRecord], ended: [TrackRecord] = []) -> TrackedFrame {
        TrackedFrame(
            record: FrameRecord(
                stream: "cam", frameIndex: index, pts: Double(index) / 25, time: 1_796_000_000, width: 32, height: 24, detections: detections),
            startedTracks: [], endedTracks: ended)
    }

    static func end(_ track: Int) -> TrackRecord {
        TrackRecord(
            stream: "cam", event: .end, trackID: track, label: "person", classIndex: 1, firstPts: 0, lastPts: 1, firstFrameIndex: 0,
            lastFrameIndex: 9, frameCount: 10, bestScore: 0.9, time: 1_796_000_001)
    }

    static func writer(latest: Bool = false, crop: Bool = true) -> SnapshotWriter {
        SnapshotWriter(
            configuration: SnapshotConfiguration(directory: ScratchDirectory.make("snap").path, crop: crop, latest: latest),
            streamNames: ["cam"], logger: Fakes.logger)
    }

    @Test("each track keeps only its best frame; tracks peaking on one frame share it; an end names the best frame's files")
    func bestFrames() {
        let writer = Self.writer()
        var recorder = SnapshotRecorder(stream: 0, configuration: Self.stream, writer: writer)
        var f0 = Self.frame(0, [Self.detection(track: 1, score: 0.6), Self.detection(track: 2, score: 0.7), Self.detection(track: nil, score: 0.99)])
        recorder.observe(&f0, pixels: FramePixels(Self.image(0)), decodedNanoseconds: 0)
        #expect(recorder.heldFrameCount == 1, "both tracks peaked on frame 0: one shared frame")
        var f1 = Self.frame(1, [Self.detection(track: 1, score: 0.8), Self.detection(track: 2, score: 0.5)])
        recorder.observe(&f1, pixels: FramePixels(Self.image(1)), decodedNanoseconds: 1)
        #expect(recorder.heldFrameCount == 2)
        var f2 = Self.frame(2, [Self.detection(track: 2, score: 0.9)], ended: [Self.end(1)])
        recorder.observe(&f2, pixels: FramePixels(Self.image(2)), decodedNanoseconds: 2)
        #expect(recorder.heldFrameCount == 1, "track 1 ended (frame 1 released), track 2 moved to frame 2 (frame 0 released)")
        let ended = f2.endedTracks[0]
        #expect(ended.snapshot == "cam/20261130-005320-track1-frame1.jpg")
        #expect(ended.crop == "cam/20261130-005320-track1-frame1-crop.jpg")
        let closed = recorder.close(Self.end(2))
        #expect(closed.snapshot?.hasSuffix("-track2-frame2.jpg") == true)
        #expect(recorder.heldFrameCount == 0)
        #expect(recorder.close(Self.end(3)) == Self.end(3), "a track with no kept frame gets no file names")
    }

    @Test("a full queue drops a track's picture (its record names no file) and counts it; a new latest.jpg replaces a waiting one")
    func fullQueue() {
        let writer = Self.writer(latest: true, crop: false)
        var recorder = SnapshotRecorder(stream: 0, configuration: Self.stream, writer: writer)
        let capacity = SnapshotConfiguration.queueCapacity
        // The writer thread is not running: nothing leaves the queue. Frame 0 queues a latest.jpg.
        for track in 1...capacity {
            var f = Self.frame(track, [Self.detection(track: track, score: 0.9)])
            recorder.observe(&f, pixels: FramePixels(Self.image(UInt8(track))), decodedNanoseconds: UInt64(track))
        }
        var names: [String?] = []
        for track in 1...capacity { names.append(recorder.close(Self.end(track)).snapshot) }
        #expect(names.filter { $0 != nil }.count == capacity - 1, "one slot holds latest.jpg")
        #expect(names.last == .some(nil))
        #expect(recorder.close(Self.end(1)).crop == nil)
        var late = Self.frame(99, [], ended: [])
        recorder.observe(&late, pixels: FramePixels(Self.image(9)), decodedNanoseconds: 10_000_000_000)
        #expect(writer.counts == [SnapshotWriter.Counts(written: 0, failed: 0, dropped: 2)])
    }

    @Test("the writer draws, encodes and writes queued pictures, then finishes; files decode as JPEG")
    func writes() throws {
        let writer = Self.writer(crop: true)
        try writer.createDirectories()
        var recorder = SnapshotRecorder(stream: 0, configuration: Self.stream, writer: writer)
        var f = Self.frame(4, [Self.detection(track: 7, score: 0.9)])
        recorder.observe(&f, pixels: FramePixels(Self.image(128)), decodedNanoseconds: 0)
        let ended = recorder.close(Self.end(7))
        writer.finish()
        writer.run()
        #expect(writer.counts == [SnapshotWriter.Counts(written: 1, failed: 0, dropped: 0)])
        let picture = try StillImage.decode("\(writer.paths.root)/\(try #require(ended.snapshot))")
        let crop = try StillImage.decode("\(writer.paths.root)/\(try #require(ended.crop))")
        #expect(picture.width == 32 && picture.height == 24 && crop.width == 10 && crop.height == 17)
        // The box's colour band is drawn at its left edge (x = 2); the crop is undrawn grey.
        let color = RGBColor.annotationColor(for: 7)
        let edge = picture[2, 12]
        #expect(abs(Int(edge.0) - Int(color.red)) < 40 && abs(Int(edge.2) - Int(color.blue)) < 40, "\(edge)")
        #expect(abs(Int(crop[5, 8].0) - 128) < 8)
    }

    @Test("a picture that cannot be written is counted as failed, leaves no temporary file, and the next one is written")
    func failedWrite() throws {
        let writer = Self.writer(crop: false)
        try writer.createDirectories()
        var recorder = SnapshotRecorder(stream: 0, configuration: Self.stream, writer: writer)
        var f = Self.frame(1, [Self.detection(track: 1, score: 0.9), Self.detection(track: 2, score: 0.8)])
        recorder.observe(&f, pixels: FramePixels(Self.image(50)), decodedNanoseconds: 0)
        // A directory already sits where track 1's picture goes: the rename into place fails.
        let blocked = SnapshotPaths.trackFiles(stream: "cam", track: 1, frame: 1, decodedAt: 1_796_000_000).picture
        try FileManager.default.createDirectory(atPath: "\(writer.paths.root)/\(blocked)", withIntermediateDirectories: true)
        #expect(recorder.close(Self.end(1)).snapshot == blocked, "the end record names the file it was queued as")
        let written = try #require(recorder.close(Self.end(2)).snapshot)
        writer.finish()
        writer.run()
        #expect(writer.counts == [SnapshotWriter.Counts(written: 1, failed: 1, dropped: 0)])
        #expect(try StillImage.decode("\(writer.paths.root)/\(written)").width == 32)
        let names = try FileManager.default.contentsOfDirectory(atPath: writer.paths.directory(stream: "cam"))
        #expect(!names.contains { $0.contains(".tmp-") }, "\(names)")
        #expect(
            !writer.submit(
                SnapshotJob(
                    kind: .latest, stream: 0, pixels: FramePixels(Self.image(1)), sourceWidth: 32, sourceHeight: 24, detections: [], overlay: .empty,
                    picture: "cam/latest.jpg", crop: nil)), "a finished writer takes no more pictures")
        #expect(writer.counts[0].dropped == 1)
    }

    @Test("records without snapshots keep their bytes; with them, snapshot and crop are sorted in")
    func recordBytes() throws {
        let encoder = JSONLineEncoder()
        let plain = String(decoding: try encoder.encode(.track(Self.end(4))).bytes, as: UTF8.self)
        #expect(!plain.contains("snapshot") && !plain.contains("crop"))
        var named = Self.end(4)
        named.snapshot = "cam/a.jpg"
        named.crop = "cam/a-crop.jpg"
        let text = String(decoding: try encoder.encode(.track(named)).bytes, as: UTF8.self)
        #expect(text.contains(#""class":1,"crop":"cam/a-crop.jpg","event":"end""#))
        #expect(text.contains(#""lastPts":1,"snapshot":"cam/a.jpg","stream":"cam""#))
    }

    @Test("frames keep their pixels when they have a detection, or once per latest interval")
    func retention() {
        let retention = FrameRetention(configuration: SnapshotConfiguration(directory: "/x", latestFramesPerSecond: 2), streamCount: 2)
        #expect(retention.keepsPixels(stream: 0, hasDetections: true, decodedNanoseconds: 0))
        #expect(retention.keepsPixels(stream: 0, hasDetections: false, decodedNanoseconds: 100))
        #expect(!retention.keepsPixels(stream: 0, hasDetections: false, decodedNanoseconds: 400_000_000))
        #expect(retention.keepsPixels(stream: 1, hasDetections: false, decodedNanoseconds: 400_000_000))
        #expect(retention.keepsPixels(stream: 0, hasDetections: false, decodedNanoseconds: 600_000_100))
        #expect(!retention.keepsPixels(stream: 0, hasDetections: false, decodedNanoseconds: 50), "decoded before the last kept frame")
        #expect(retention.keepsPixels(stream: 0, hasDetections: true, decodedNanoseconds: 50))
        let off = FrameRetention(configuration: SnapshotConfiguration(directory: "/x", latest: false), streamCount: 1)
        #expect(!off.keepsPixels(stream: 0, hasDetections: false, decodedNanoseconds: 0))
    }

    @Test("stream directory names are safe and distinct", arguments: [("cam-1_a.b", "cam-1_a.b"), ("..", "_.-"), ("zoné", "zon_-"), ("", "-")])
    func directoryNames(name: String, prefix: String) {
        let safe = SnapshotPaths.directoryName(for: name)
        #expect(safe.hasPrefix(prefix), "\(safe)")
        #expect(!safe.contains("/") && safe != "." && safe != ".." && !safe.hasPrefix("."))
        #expect(SnapshotPaths.directoryName(for: "zoné") != SnapshotPaths.directoryName(for: "zonè"))
    }

    @Test("zones and lines (the SceneOverlay seam) are drawn scaled to the picture; an empty overlay draws nothing")
    func overlay() {
        let overlay = SceneOverlay(
            zones: [.init(name: "", points: [.init(x: 10, y: 10), .init(x: 50, y: 10), .init(x: 50, y: 40)])],
            lines: [.init(name: "", start: .init(x: 60, y: 44), end: .init(x: 20, y: 44))])
        var image = Self.image(128)
        // The frame was 64×48 source pixels; the picture is 32×24: everything is drawn at half the coordinates.
        FrameAnnotations.draw([], overlay: overlay, on: &image, sourceWidth: 64, sourceHeight: 48)
        let zone = SceneOverlay.zoneColor, line = SceneOverlay.lineColor
        #expect(image[5, 5] == (zone.red, zone.green, zone.blue) && image[25, 20] == (zone.red, zone.green, zone.blue))
        #expect(image[15, 5] == (zone.red, zone.green, zone.blue), "the top side")
        #expect(image[20, 22] == (line.red, line.green, line.blue) && image[10, 22] == (line.red, line.green, line.blue))
        #expect(image[15, 15] == (128, 128, 128) && image[2, 22] == (128, 128, 128))
        var untouched = Self.image(128)
        FrameAnnotations.draw([], overlay: .empty, on: &untouched, sourceWidth: 64, sourceHeight: 48)
        #expect(untouched == Self.image(128))
        #expect(SceneOverlay.configured(for: Self.stream, width: 64, height: 48) == .empty)
    }

    @Test("a stream's zones and lines become the overlay, relative points scaled to the frame")
    func overlayFromConfiguredPlaces() {
        var stream = Self.stream
        stream.zones = [
            ZoneDefinition(name: "yard", points: [.init(x: 0, y: 0.5), .init(x: 1, y: 0.5), .init(x: 1, y: 1)], relative: true)
        ]
        stream.lines = [LineDefinition(name: "door", from: .init(x: 10, y: 40), to: .init(x: 10, y: 2))]
        let overlay = SceneOverlay.configured(for: stream, width: 64, height: 48)
        let yard = SceneOverlay.Zone(name: "yard", points: [.init(x: 0, y: 24), .init(x: 64, y: 24), .init(x: 64, y: 48)])
        let door = SceneOverlay.Line(name: "door", start: .init(x: 10, y: 40), end: .init(x: 10, y: 2))
        #expect(overlay == SceneOverlay(zones: [yard], lines: [door]))
    }

    @Test("[output.snapshots] parses with defaults, and errors name the key")
    func configuration() throws {
        let base = "[[streams]]\nname = \"cam\"\nurl = \"x.mp4\"\n[output.snapshots]\n"
        let parsed = try DaemonConfiguration.parse(base + "dir = \"/tmp/s\"\nlatest_fps = 5")
        #expect(parsed.output.snapshots == SnapshotConfiguration(directory: "/tmp/s", latestFramesPerSecond: 5))
        #expect(try DaemonConfiguration.parse(base.replacingOccurrences(of: "[output.snapshots]\n", with: "")).output.snapshots == nil)
        for (body, key) in [
            ("quality = 85", "output.snapshots.dir"), ("dir = \"/tmp\"\nquality = 101", "output.snapshots.quality"),
            ("dir = \"/tmp\"\nretain_days = -1", "output.snapshots.retain_days"), ("dir = \"/tmp\"\ncrop = 1", "output.snapshots.crop"),
            ("dir = \"/tmp\"\nlatest_fps = 31", "output.snapshots.latest_fps"), ("dir = \"/tmp\"\nlast = true", "output.snapshots.last"),
        ] {
            #expect(throws: ConfigurationError.self, "\(body)") { try DaemonConfiguration.parse(base + body) }
            do {
                _ = try DaemonConfiguration.parse(base + body)
            } catch {
                #expect(error.key == key, "\(body): \(error)")
            }
        }
    }
}
