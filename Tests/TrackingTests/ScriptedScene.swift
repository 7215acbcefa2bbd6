import Geometry
import Tracking

/// A scripted scene: ground-truth objects moving on straight lines, each visible on some frames.
struct ScriptedObject {
    let name: String
    var label = "person"
    var classIndex = 1
    /// Centre at frame 0 and velocity per frame.
    let start: (x: Double, y: Double)
    let velocity: (x: Double, y: Double)
    var size: (width: Double, height: Double) = (40, 80)
    var score = 0.9
    /// Whether the object is detected on a frame.
    var visible: (Int) -> Bool = { _ in true }

    func box(at frame: Int) -> Box {
        Box(
            centerX: start.x + velocity.x * Double(frame), centerY: start.y + velocity.y * Double(frame),
            width: size.width, height: size.height)
    }
}

/// Runs a tracker over a scene and keeps per-object id histories.
struct SceneRun {
    /// Every update, in frame order.
    var updates: [TrackerUpdate] = []
    /// For each object name, the non-nil track id it got on each frame it was detected.
    var ids: [String: [Int]] = [:]
    /// Tracks returned by `finish()`.
    var finished: [EndedTrack] = []

    init(objects: [ScriptedObject], frames: Range<Int>, configuration: TrackerConfiguration, reversedInput: Bool = false) throws {
        var tracker = try Tracker(configuration: configuration)
        for frame in frames {
            var present = objects.filter { $0.visible(frame) }
            // Input order must not matter for the ids of objects; reversing it checks that in some tests.
            if reversedInput && frame % 2 == 1 { present.reverse() }
            let detections = present.map {
                TrackDetection(label: $0.label, classIndex: $0.classIndex, score: $0.score, box: $0.box(at: frame))
            }
            let update = tracker.update(frameIndex: frame, time: Double(frame) / 25, detections: detections)
            for (object, tracked) in zip(present, update.detections) {
                if let id = tracked.trackID { ids[object.name, default: []].append(id) }
            }
            updates.append(update)
        }
        finished = tracker.finish()
    }

    /// Number of times an object's track id changed between consecutive frames where it had one.
    var idSwitches: Int {
        ids.values.reduce(0) { total, history in
            total + zip(history, history.dropFirst()).count { $0 != $1 }
        }
    }

    /// The distinct ids an object had.
    func distinctIDs(_ name: String) -> [Int] {
        var seen: [Int] = []
        for id in ids[name, default: []] where !seen.contains(id) { seen.append(id) }
        return seen
    }
}
