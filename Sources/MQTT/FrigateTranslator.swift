import Foundation
import Geometry
import Sinks

/// Turns ssdd's records into Frigate-style object events and per-label counts. Pure and deterministic: it sees the
/// records of every stream in each stream's order (`track` starts, `frame`, `track` ends, zone `event`s per frame, as
/// the pipeline writes them) and returns what to publish.
///
/// - An object is a confirmed track. Its `new` event goes out with the frame record that confirmed it (which gives
///   its box, score and frame time); `update`s follow at most once per ``Options/updateInterval`` of frame time, and
///   only when the box, score or top score changed — a zone entered or left is sent at once; `end` goes out with
///   the track's end record.
/// - Counts: objects of a label in view on a stream (active confirmed tracks), and per zone from zone `enter`/`exit`
///   events; reported whenever one changes.
public struct FrigateTranslator: Sendable {
    /// What the translator emits.
    public struct Options: Sendable, Equatable {
        /// Emit object events (`frigate = true`); counts are always kept.
        public var emitsEvents: Bool
        /// Least frame time between two `update`s of one object without a zone change, in seconds.
        public var updateInterval: Double
        /// Objects followed at once (further track starts are ignored until some end).
        public var maxObjects: Int

        public init(emitsEvents: Bool = true, updateInterval: Double = 1, maxObjects: Int = 4096) {
            self.emitsEvents = emitsEvents
            self.updateInterval = updateInterval
            self.maxObjects = maxObjects
        }
    }

    /// A count topic: objects of `label` in view on `stream`, or in `zone` of it.
    public struct CountKey: Sendable, Hashable, Comparable {
        public var stream: String
        public var zone: String?
        public var label: String

        public init(stream: String, zone: String? = nil, label: String) {
            self.stream = stream
            self.zone = zone
            self.label = label
        }

        public static func < (a: CountKey, b: CountKey) -> Bool {
            (a.stream, a.zone ?? "", a.label) < (b.stream, b.zone ?? "", b.label)
        }
    }

    /// One thing to publish.
    public enum Output: Sendable, Equatable {
        case event(FrigateEvent)
        case count(CountKey, Int)
    }

    public let options: Options
    private var objects: [ObjectKey: TrackedObject] = [:]
    private var counts: [CountKey: Int] = [:]
    private var frameTimes: [String: FrameTimes] = [:]

    private struct ObjectKey: Hashable {
        var stream: String
        var track: Int
    }

    private struct TrackedObject {
        var object: FrigateObject
        /// The object as last published; nil until its `new` event.
        var published: FrigateObject?
        var firstFrame: Int
        /// Stream time from the first frame to the confirming one (to estimate `start_time` if that frame is unknown).
        var confirmationDelay: Double
    }

    public init(options: Options = Options()) { self.options = options }

    /// Every count known so far (zeros included), in order: what to publish again after a reconnect.
    public var currentCounts: [(key: CountKey, count: Int)] {
        counts.sorted { $0.key < $1.key }.map { (key: $0.key, count: $0.value) }
    }

    /// Sets the count of `key` to 0 if it has none yet (labels Home Assistant shows before any object appeared).
    public mutating func declare(_ key: CountKey) {
        if counts[key] == nil { counts[key] = 0 }
    }

    /// The messages `record` causes, in order.
    public mutating func process(_ record: Record) -> [Output] {
        switch record {
        case let .track(track):
            return track.event == .start ? start(track) : end(track)
        case let .frame(frame):
            return see(frame)
        case let .event(event):
            return zone(event)
        case let .stream(stream):
            if stream.state == .ended { frameTimes[stream.stream] = nil }
            return []
        case .notice:
            return []
        }
    }

    private mutating func start(_ track: TrackRecord) -> [Output] {
        let key = ObjectKey(stream: track.stream, track: track.trackID)
        guard objects[key] == nil, objects.count < options.maxObjects else { return [] }
        objects[key] = TrackedObject(
            object: FrigateObject(camera: track.stream, label: track.label, score: track.bestScore), published: nil,
            firstFrame: track.firstFrameIndex, confirmationDelay: max(0, track.lastPts - track.firstPts))
        return change(CountKey(stream: track.stream, label: track.label), by: 1)
    }

    private mutating func see(_ frame: FrameRecord) -> [Output] {
        frameTimes[frame.stream, default: FrameTimes()].record(frame: frame.frameIndex, time: frame.time)
        var outputs: [Output] = []
        for detection in frame.detections {
            guard let track = detection.trackID, var tracked = objects[ObjectKey(stream: frame.stream, track: track)] else { continue }
            tracked.object.score = detection.score
            tracked.object.topScore = max(tracked.object.topScore, detection.score)
            let b = detection.box
            tracked.object.box = [b.x1, b.y1, b.x2, b.y2].map { Int(($0.isFinite ? $0 : 0).rounded()) }
            tracked.object.frameTime = frame.time
            if tracked.published == nil {
                let firstTime = frameTimes[frame.stream]?.time(of: tracked.firstFrame) ?? frame.time - tracked.confirmationDelay
                tracked.object.startTime = firstTime
                tracked.object.id = Self.objectID(startTime: firstTime, stream: frame.stream, track: track)
                outputs += publish(&tracked, .new)
            } else if let last = tracked.published, frame.time - last.frameTime >= options.updateInterval, Self.moved(last, tracked.object) {
                outputs += publish(&tracked, .update)
            }
            objects[ObjectKey(stream: frame.stream, track: track)] = tracked
        }
        return outputs
    }

    private mutating func end(_ track: TrackRecord) -> [Output] {
        guard var tracked = objects.removeValue(forKey: ObjectKey(stream: track.stream, track: track.trackID)) else { return [] }
        var outputs: [Output] = []
        if tracked.published == nil {
            // Never seen on a frame record (frames not delivered to this output): announce it from the track record.
            let time = track.time
            tracked.object.startTime = time - max(0, track.lastPts - track.firstPts)
            tracked.object.frameTime = time
            tracked.object.topScore = max(tracked.object.topScore, track.bestScore)
            tracked.object.id = Self.objectID(startTime: tracked.object.startTime, stream: track.stream, track: track.trackID)
            outputs += publish(&tracked, .new)
        }
        tracked.object.endTime = tracked.object.frameTime
        for zone in tracked.object.currentZones {
            outputs += change(CountKey(stream: track.stream, zone: zone, label: tracked.object.label), by: -1)
        }
        outputs += publish(&tracked, .end)
        outputs += change(CountKey(stream: track.stream, label: tracked.object.label), by: -1)
        return outputs
    }

    private mutating func zone(_ event: EventRecord) -> [Output] {
        guard case let .zone(zone) = event.place, event.event == .enter || event.event == .exit else { return [] }
        let key = ObjectKey(stream: event.stream, track: event.trackID)
        guard var tracked = objects[key] else { return [] }
        var outputs: [Output] = []
        let countKey = CountKey(stream: event.stream, zone: zone, label: tracked.object.label)
        if event.event == .enter, !tracked.object.currentZones.contains(zone) {
            tracked.object.currentZones.append(zone)
            if !tracked.object.enteredZones.contains(zone) { tracked.object.enteredZones.append(zone) }
            outputs += change(countKey, by: 1)
        } else if event.event == .exit, let i = tracked.object.currentZones.firstIndex(of: zone) {
            tracked.object.currentZones.remove(at: i)
            outputs += change(countKey, by: -1)
        } else {
            return []
        }
        if tracked.published != nil { outputs += publish(&tracked, .update) }
        objects[key] = tracked
        return outputs
    }

    /// The event for `tracked` now (if events are emitted), remembering what was published.
    private func publish(_ tracked: inout TrackedObject, _ type: FrigateEvent.Kind) -> [Output] {
        let before = tracked.published ?? tracked.object
        tracked.published = tracked.object
        return options.emitsEvents ? [.event(FrigateEvent(type: type, before: before, after: tracked.object))] : []
    }

    private mutating func change(_ key: CountKey, by delta: Int) -> [Output] {
        let old = counts[key] ?? 0
        let value = max(0, old + delta)
        counts[key] = value
        return value == old ? [] : [.count(key, value)]
    }

    /// Whether an update is worth sending: the box, score or top score changed.
    private static func moved(_ a: FrigateObject, _ b: FrigateObject) -> Bool {
        a.box != b.box || a.score != b.score || a.topScore != b.topScore
    }

    static func objectID(startTime: Double, stream: String, track: Int) -> String {
        "\(String(format: "%.6f", startTime))-\(stream)-\(track)"
    }
}

/// The wall-clock times of a stream's recent frames, by frame index (the last 512), for objects' `start_time`.
private struct FrameTimes {
    private static let capacity = 512
    private var slots = [(frame: Int, time: Double)](repeating: (-1, 0), count: FrameTimes.capacity)

    mutating func record(frame: Int, time: Double) {
        guard frame >= 0 else { return }
        slots[frame % Self.capacity] = (frame, time)
    }

    func time(of frame: Int) -> Double? {
        guard frame >= 0 else { return nil }
        let slot = slots[frame % Self.capacity]
        return slot.frame == frame ? slot.time : nil
    }
}
