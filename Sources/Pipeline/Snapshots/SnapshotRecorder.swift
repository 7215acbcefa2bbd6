import Geometry
import Imaging
import MediaIO
import Sinks

/// One stream's snapshot bookkeeping in the delivery stage (after tracking, in frame order): which frame each live
/// track scored best on, when `latest.jpg` is due, and the pictures to hand to the ``SnapshotWriter``.
///
/// Memory: it holds at most one frame per live confirmed track — the frame of its best score so far — and a frame
/// on which several tracks peaked is held once (they share the reference). A frame is released when every track
/// holding it has found a better one or ended. Used from the delivery task only.
struct SnapshotRecorder {
    /// A frame's pixels and what naming and drawing it needs, shared by the tracks that peaked on it.
    private final class RetainedFrame {
        let pixels: FramePixels
        let frameIndex: Int
        let decodedAt: Double
        let sourceWidth: Int
        let sourceHeight: Int

        init(pixels: FramePixels, frameIndex: Int, decodedAt: Double, sourceWidth: Int, sourceHeight: Int) {
            self.pixels = pixels
            self.frameIndex = frameIndex
            self.decodedAt = decodedAt
            self.sourceWidth = sourceWidth
            self.sourceHeight = sourceHeight
        }
    }

    /// A track's best detection so far and the frame it was on.
    private struct Best {
        let frame: RetainedFrame
        let detection: DetectionRecord
    }

    let stream: Int
    let configuration: StreamConfiguration
    let writer: SnapshotWriter
    private var best: [Int: Best] = [:]
    private var lastLatest: UInt64?

    init(stream: Int, configuration: StreamConfiguration, writer: SnapshotWriter) {
        self.stream = stream
        self.configuration = configuration
        self.writer = writer
    }

    /// Frames currently held (for tests: at most one per live track).
    var heldFrameCount: Int { Set(best.values.map { ObjectIdentifier($0.frame) }).count }

    /// Takes in one tracked frame: updates the tracks' best frames from `pixels` (nil when the frame kept none), hands
    /// `latest.jpg` to the writer when due, and names the pictures of the tracks that ended on this frame in their
    /// `end` records.
    mutating func observe(_ frame: inout TrackedFrame, pixels: FramePixels?, decodedNanoseconds: UInt64) {
        if let pixels {
            let record = frame.record
            var retained: RetainedFrame?
            for detection in record.detections where writer.tracks {
                guard let id = detection.trackID, detection.score > (best[id]?.detection.score ?? -.infinity) else { continue }
                let shared =
                    retained
                    ?? RetainedFrame(
                        pixels: pixels, frameIndex: record.frameIndex, decodedAt: record.time, sourceWidth: record.width,
                        sourceHeight: record.height)
                retained = shared
                best[id] = Best(frame: shared, detection: detection)
            }
            if let latest = writer.latest, isLatestDue(decodedNanoseconds, interval: latest.interval) {
                lastLatest = decodedNanoseconds
                let job = SnapshotJob(
                    kind: .latest, stream: stream, pixels: pixels, sourceWidth: record.width, sourceHeight: record.height,
                    detections: record.detections, overlay: overlay(record.width, record.height),
                    picture: SnapshotPaths.latestFile(stream: configuration.name), crop: nil)
                _ = writer.submit(job)
            }
        }
        frame.endedTracks = frame.endedTracks.map { close($0) }
    }

    /// The `end` record of `track` naming its picture (and crop) when the writer accepted them; the track's frame is
    /// released either way.
    mutating func close(_ track: TrackRecord) -> TrackRecord {
        guard let kept = best.removeValue(forKey: track.trackID) else { return track }
        let frame = kept.frame
        let names = SnapshotPaths.trackFiles(
            stream: configuration.name, track: track.trackID, frame: frame.frameIndex, decodedAt: frame.decodedAt)
        let crop: (path: String, box: Box)? = writer.configuration.crop ? (names.crop, kept.detection.box) : nil
        let job = SnapshotJob(
            kind: .track, stream: stream, pixels: frame.pixels, sourceWidth: frame.sourceWidth, sourceHeight: frame.sourceHeight,
            detections: [kept.detection], overlay: overlay(frame.sourceWidth, frame.sourceHeight), picture: names.picture,
            crop: crop)
        guard writer.submit(job) else { return track }
        var named = track
        named.snapshot = names.picture
        named.crop = writer.configuration.crop ? names.crop : nil
        return named
    }

    private func isLatestDue(_ decoded: UInt64, interval: UInt64) -> Bool {
        guard let lastLatest, decoded >= lastLatest else { return true }
        return decoded - lastLatest >= interval
    }

    private func overlay(_ width: Int, _ height: Int) -> SceneOverlay {
        SceneOverlay.configured(for: configuration, width: width, height: height)
    }
}
