import Foundation
import Imaging
import MediaIO
import TestSupport
import Testing

/// `[output.snapshots]` on the release binary: one `ssdd run` over samples/person.mp4 (480×360, 100 frames) shared by
/// every assertion.
@Suite("Snapshots: track pictures, crops, latest.jpg and retention")
struct SnapshotTests {
    /// What one daemon run left behind, and what the test saw while it ran.
    struct Run {
        let directory: String
        let snapshots: String
        let records: [[String: Any]]
        let status: Int32
        let log: String
        /// Distinct inodes `latest.jpg` had while the daemon ran, and whether every read of it was a whole JPEG.
        let latestInodes: Set<UInt64>
        let latestAlwaysWhole: Bool
    }

    static let width = 480
    static let height = 360

    /// Sets a file's modification time `days` days back.
    static func backdate(_ path: String, days: Double) {
        let then = Date().timeIntervalSince1970 - days * 86_400
        var times = [timespec(tv_sec: Int(then), tv_nsec: 0), timespec(tv_sec: Int(then), tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }

    /// Whether `data` is a whole JPEG file (start and end markers).
    static func isWholeJPEG(_ data: Data) -> Bool {
        data.count > 4 && data.prefix(2) == Data([0xFF, 0xD8]) && data.suffix(2) == Data([0xFF, 0xD9])
    }

    // Unsafe: set once (lazily, thread-safely) and only read afterwards; Run holds JSON values, which are not Sendable.
    nonisolated(unsafe) static let run: Result<Run, any Error> = Result { try makeRun() }

    static func makeRun() throws -> Run {
        let dir = ScratchDirectory.make("snapshots").path
        let sample = BinaryRunner.packageRoot.appendingPathComponent("samples/person.mp4").path
        try FileManager.default.copyItem(atPath: sample, toPath: "\(dir)/person.mp4")
        let snapshots = "\(dir)/snaps"
        // Left from "earlier runs": an old picture (removed at start-up), a recent one and an old non-picture (kept).
        try FileManager.default.createDirectory(atPath: "\(snapshots)/cam", withIntermediateDirectories: true)
        for name in ["cam/old.jpg", "cam/recent.jpg", "notes.txt"] {
            FileManager.default.createFile(atPath: "\(snapshots)/\(name)", contents: Data([0xFF, 0xD8, 0xFF, 0xD9]))
        }
        backdate("\(snapshots)/cam/old.jpg", days: 3)
        backdate("\(snapshots)/notes.txt", days: 3)
        let config = """
            [model]
            path = "\(DaemonTests.modelPath)"
            [workers]
            count = 1
            [[streams]]
            name = "cam"
            url = "\(dir)/person.mp4"
            [output.file]
            path = "\(dir)/out.jsonl"
            [output.snapshots]
            dir = "\(snapshots)"
            quality = 90
            crop = true
            latest = true
            latest_fps = 30
            retain_days = 1
            """
        let daemon = try LaunchedDaemon(directory: dir, config: config)
        var inodes: Set<UInt64> = []
        var whole = true
        let latest = "\(snapshots)/cam/latest.jpg"
        let deadline = Date(timeIntervalSinceNow: 120)
        while daemon.isRunning && Date() < deadline {
            var status = stat()
            if stat(latest, &status) == 0, let data = FileManager.default.contents(atPath: latest) {
                inodes.insert(UInt64(status.st_ino))
                whole = whole && isWholeJPEG(data)
            }
            usleep(2_000)
        }
        let exited = daemon.waitForExit(seconds: 60)
        let lines = DaemonHarness.lines("\(dir)/out.jsonl").complete
        return Run(
            directory: dir, snapshots: snapshots, records: lines.compactMap(DaemonHarness.json),
            status: exited ? daemon.terminationStatus : -1, log: daemon.log, latestInodes: inodes, latestAlwaysWhole: whole)
    }

    static func trackEnds(_ run: Run) -> [[String: Any]] {
        run.records.filter { $0["kind"] as? String == "track" && $0["event"] as? String == "end" }
    }

    @Test("every track's end record names its picture and crop, which exist and decode: picture at the source size, crop at the box")
    func trackPictures() throws {
        let run = try Self.run.get()
        #expect(run.status == 0, "\(run.log)")
        let ends = Self.trackEnds(run)
        try #require(!ends.isEmpty, "the sample clip shows a person: at least one track")
        for end in ends {
            let picture = try #require(end["snapshot"] as? String, "\(end)")
            let cropName = try #require(end["crop"] as? String, "\(end)")
            #expect(picture.hasPrefix("cam/") && picture.hasSuffix(".jpg") && !picture.contains(".."))
            let image = try StillImage.decode("\(run.snapshots)/\(picture)")
            #expect(image.width == Self.width && image.height == Self.height)
            // The picture names its frame; the track's detection on that frame is the box the crop must match.
            let frameIndex = try #require(picture.split(separator: "frame").last.flatMap { Int($0.dropLast(4)) })
            let track = try #require(end["track"] as? Int)
            let frame = try #require(run.records.first { $0["kind"] as? String == "frame" && $0["frame"] as? Int == frameIndex })
            let detections = try #require(frame["detections"] as? [[String: Any]])
            let detection = try #require(detections.first { $0["track"] as? Int == track })
            let box = try #require(detection["box"] as? [Double])
            let score = try #require(detection["score"] as? Double)
            #expect(abs(score - (end["bestScore"] as? Double ?? -1)) < 1e-9, "the picture is of the track's best-scoring frame")
            let left = max(0, Int(box[0].rounded())), right = min(Self.width, Int(box[2].rounded()))
            let top = max(0, Int(box[1].rounded())), bottom = min(Self.height, Int(box[3].rounded()))
            let crop = try StillImage.decode("\(run.snapshots)/\(cropName)")
            #expect(crop.width == right - left && crop.height == bottom - top, "crop \(crop.width)×\(crop.height), box \(box)")
        }
    }

    @Test("latest.jpg exists at the end, was replaced by renames (several inodes) and was never seen partial")
    func latest() throws {
        let run = try Self.run.get()
        let latest = try StillImage.decode("\(run.snapshots)/cam/latest.jpg")
        #expect(latest.width == Self.width && latest.height == Self.height)
        #expect(run.latestInodes.count >= 2, "latest.jpg inodes seen: \(run.latestInodes.count)")
        #expect(run.latestAlwaysWhole)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: "\(run.snapshots)/cam").filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    @Test("retain_days removed the old picture at start-up and kept the recent one and the non-picture")
    func retention() throws {
        let run = try Self.run.get()
        let manager = FileManager.default
        #expect(!manager.fileExists(atPath: "\(run.snapshots)/cam/old.jpg"))
        #expect(manager.fileExists(atPath: "\(run.snapshots)/cam/recent.jpg"))
        #expect(manager.fileExists(atPath: "\(run.snapshots)/notes.txt"))
    }

    @Test("config check names the key of a bad snapshots setting")
    func badConfiguration() throws {
        let dir = ScratchDirectory.make("snapshot-config").path
        let base = """
            [[streams]]
            name = "cam"
            url = "x.mp4"
            [output.snapshots]

            """
        let cases = [
            ("quality = 0\ndir = \"\(dir)\"", "output.snapshots.quality"), ("latest_fps = 0\ndir = \"\(dir)\"", "output.snapshots.latest_fps"),
            ("dir = \"\(dir)/missing/deeper\"", "output.snapshots.dir"), ("dir = \"\(dir)\"\nsize = 3", "output.snapshots.size"),
            ("crop = true", "output.snapshots.dir"),
        ]
        for (i, (body, key)) in cases.enumerated() {
            let path = "\(dir)/c\(i).toml"
            try (base + body).write(toFile: path, atomically: true, encoding: .utf8)
            let result = try BinaryRunner.run(["config", "check", path])
            #expect(result.status != 0 && result.stderr.contains(key), "\(body): \(result.stderr)")
        }
    }
}
