import Sinks
import WebAPI

/// An `APIState` with fixed answers: two streams (one with a picture), a track and an event record, a small
/// configuration and metrics text.
struct FixedAPIState: APIState {
    static let picture: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array("fixed picture".utf8) + [0xFF, 0xD9]

    let statuses: [StreamStatus] = [
        StreamStatus(
            name: "cam 1", url: "rtsp://admin:***@10.0.0.5/stream1", live: true, model: "/var/lib/ssdd/person.safetensors", state: .connected,
            since: 1_767_225_600.25, message: "h264 1280x720", frames: .init(decoded: 1520, inferred: 1498, dropped: 22, written: 1498),
            inputFps: 25, outputFps: 24.6, lastFrameTime: 1_767_225_660.9),
        StreamStatus(name: "file", url: "samples/person.mp4", live: false, model: "models/person.safetensors"),
    ]

    let records: [JSONLine] = {
        let encoder = JSONLineEncoder()
        var track = TrackRecord(
            stream: "cam 1", event: .end, trackID: 3, label: "person", classIndex: 1, firstPts: 4, lastPts: 6.4, firstFrameIndex: 100,
            lastFrameIndex: 160, frameCount: 57, bestScore: 0.93, time: 1_767_225_602)
        track.zones = ["driveway"]
        let event = EventRecord(
            stream: "cam 1", event: .exit, place: .zone("driveway"), trackID: 3, label: "person", frameIndex: 812, pts: 32.48,
            time: 1_767_225_601, box: .init(x1: 310, y1: 200, x2: 352, y2: 330), dwell: 4.2)
        let start = TrackRecord(
            stream: "file", event: .start, trackID: 1, label: "person", classIndex: 1, firstPts: 0, lastPts: 0.04, firstFrameIndex: 0,
            lastFrameIndex: 1, frameCount: 2, bestScore: 0.98, time: 1_767_225_600)
        // Newest first, as the daemon's ring answers.
        return [try! encoder.encode(.track(track)), try! encoder.encode(.event(event)), try! encoder.encode(.track(start))]
    }()

    func streams() -> [StreamStatus] { statuses }

    func stream(named name: String) -> StreamStatus? { statuses.first { $0.name == name } }

    func latestPicture(stream name: String) -> [UInt8]? { name == "cam 1" ? Self.picture : nil }

    func events(matching query: EventQuery) -> [JSONLine] {
        let matching = records.filter { line in
            guard let record = line.record else { return false }
            let (stream, kind, time): (String, RecordKind, Double) =
                switch record {
                case let .track(track): (track.stream, .track, track.time)
                case let .event(event): (event.stream, .event, event.time)
                default: ("", .notice, 0)
                }
            return (query.stream == nil || query.stream == stream) && (query.kind == nil || query.kind == kind)
                && (query.since.map { time > $0 } ?? true)
        }
        return Array(matching.prefix(query.limit))
    }

    func configurationJSON() -> [UInt8] { Array(#"{"streams":[{"name":"cam 1","url":"rtsp://admin:***@10.0.0.5/stream1"}]}"#.utf8) }

    func metricsText() -> String { "# TYPE ssdd_frames_decoded_total counter\nssdd_frames_decoded_total{stream=\"cam 1\"} 1520\n" }
}
