import Geometry
import Testing
import Tracking

/// Scripted trajectories: crossings, occlusions, per-class association, determinism.
@Suite struct TrackerScenarioTests {
    static let configuration = TrackerConfiguration(maxAge: 5, minHits: 3, iouThreshold: 0.3)

    @Test func singleObjectIsConfirmedAfterMinHitsAndEndsAfterMaxAge() throws {
        let object = ScriptedObject(name: "a", start: (100, 100), velocity: (4, 0), visible: { $0 < 10 })
        let run = try SceneRun(objects: [object], frames: 0..<20, configuration: Self.configuration)
        // Frames 0 and 1 are tentative; frame 2 confirms id 1.
        #expect(run.updates[0].detections.map(\.trackID) == [nil])
        #expect(run.updates[1].detections.map(\.trackID) == [nil])
        #expect(run.updates[2].detections.map(\.trackID) == [1])
        #expect(run.updates[2].started.map(\.id) == [1])
        #expect(run.updates[2].started.first?.firstFrameIndex == 0)
        // Last seen on frame 9; unmatched on 10...15, i.e. more than maxAge (5) frames on frame 15.
        let endFrame = try #require(run.updates.firstIndex { !$0.ended.isEmpty })
        #expect(endFrame == 15)
        let ended = try #require(run.updates[endFrame].ended.first)
        #expect(
            ended
                == TrackSummary(
                    id: 1, label: "person", classIndex: 1, firstTime: 0, lastTime: 9.0 / 25, firstFrameIndex: 0,
                    lastFrameIndex: 9, frameCount: 10, bestScore: 0.9))
        #expect(run.finished.isEmpty)
    }

    @Test func twoObjectsCrossingKeepTheirIDs() throws {
        // A walks right, B walks left, slightly lower; their boxes overlap heavily around frame 25.
        let a = ScriptedObject(name: "a", start: (50, 200), velocity: (8, 0))
        let b = ScriptedObject(name: "b", start: (450, 210), velocity: (-8, 0))
        let run = try SceneRun(objects: [a, b], frames: 0..<50, configuration: Self.configuration, reversedInput: true)
        #expect(run.idSwitches == 0, "ids: \(run.ids)")
        #expect(run.distinctIDs("a") == [1])
        #expect(run.distinctIDs("b") == [2])
        #expect(run.ids["a"]?.count == 48)
        #expect(run.finished.map(\.id) == [1, 2])
        #expect(run.finished.map(\.frameCount) == [50, 50])
    }

    @Test func diagonalCrossingWithMissedFramesAtTheCrossingKeepsIDs() throws {
        // Both objects vanish for 3 frames exactly while they overlap; the Kalman prediction bridges the gap.
        let hidden: (Int) -> Bool = { !(18...20).contains($0) }
        let a = ScriptedObject(name: "a", start: (100, 100), velocity: (6, 5), visible: hidden)
        let b = ScriptedObject(name: "b", start: (340, 100), velocity: (-6, 5), visible: hidden)
        let run = try SceneRun(objects: [a, b], frames: 0..<45, configuration: Self.configuration)
        #expect(run.idSwitches == 0, "ids: \(run.ids)")
        #expect(run.distinctIDs("a") == [1])
        #expect(run.distinctIDs("b") == [2])
    }

    @Test(arguments: [1, 3, 5])
    func shortOcclusionKeepsTheID(gap: Int) throws {
        let object = ScriptedObject(name: "a", start: (100, 100), velocity: (5, 2), visible: { !(10..<(10 + gap)).contains($0) })
        let run = try SceneRun(objects: [object], frames: 0..<30, configuration: Self.configuration)
        #expect(run.distinctIDs("a") == [1], "gap \(gap): \(run.ids)")
        #expect(run.updates.allSatisfy { $0.ended.isEmpty })
        #expect(run.finished.map(\.frameCount) == [30 - gap])
    }

    @Test(arguments: [6, 10])
    func longGapGivesANewID(gap: Int) throws {
        let object = ScriptedObject(name: "a", start: (100, 100), velocity: (5, 2), visible: { !(10..<(10 + gap)).contains($0) })
        let run = try SceneRun(objects: [object], frames: 0..<40, configuration: Self.configuration)
        #expect(run.distinctIDs("a") == [1, 2], "gap \(gap): \(run.ids)")
        let firstEnd = run.updates.flatMap(\.ended)
        #expect(firstEnd.map(\.id) == [1])
        #expect(firstEnd.first?.lastFrameIndex == 9)
        #expect(run.finished.map(\.id) == [2])
    }

    @Test func detectionsOnlyMatchTracksOfTheirLabel() throws {
        // A person and a dog at the same place: they must get separate tracks that never swap.
        let person = ScriptedObject(name: "person", start: (100, 100), velocity: (3, 0))
        var dog = ScriptedObject(name: "dog", start: (100, 100), velocity: (3, 0))
        dog.label = "dog"
        dog.classIndex = 18
        let run = try SceneRun(objects: [person, dog], frames: 0..<10, configuration: Self.configuration, reversedInput: true)
        #expect(run.idSwitches == 0)
        #expect(Set(run.distinctIDs("person") + run.distinctIDs("dog")) == [1, 2])
        #expect(run.finished.map(\.label).sorted() == ["dog", "person"])
        #expect(run.finished.first { $0.label == "dog" }?.classIndex == 18)
    }

    @Test func idsAreNeverReusedAndTentativeTracksDoNotConsumeIDs() throws {
        // A one-frame flicker never confirms, so the next real object still gets id 1, then 2.
        let flicker = ScriptedObject(name: "flicker", start: (500, 500), velocity: (0, 0), visible: { $0 == 0 })
        let first = ScriptedObject(name: "first", start: (100, 100), velocity: (0, 0), visible: { $0 < 5 })
        let second = ScriptedObject(name: "second", start: (100, 100), velocity: (0, 0), visible: { $0 >= 15 })
        let run = try SceneRun(objects: [flicker, first, second], frames: 0..<20, configuration: Self.configuration)
        #expect(run.ids["flicker"] == nil)
        #expect(run.distinctIDs("first") == [1])
        #expect(run.distinctIDs("second") == [2])
    }

    @Test func untrackableBoxesPassThroughWithoutID() throws {
        var tracker = try Tracker(configuration: TrackerConfiguration(minHits: 1))
        let bad = TrackDetection(label: "person", classIndex: 1, score: 0.8, box: Box(x1: 10, y1: 10, x2: 10, y2: 30))
        let nan = TrackDetection(label: "person", classIndex: 1, score: 0.8, box: Box(x1: .nan, y1: 0, x2: 5, y2: 5))
        let update = tracker.update(frameIndex: 0, time: 0, detections: [bad, nan])
        #expect(update.detections.map(\.trackID) == [nil, nil])
        #expect(update.started.isEmpty)
        #expect(tracker.confirmedTrackCount == 0)
    }

    @Test func sameInputGivesSameOutput() throws {
        let objects = [
            ScriptedObject(name: "a", start: (50, 200), velocity: (8, 0), visible: { $0 % 7 != 3 }),
            ScriptedObject(name: "b", start: (450, 210), velocity: (-8, 1)),
            ScriptedObject(name: "c", start: (200, 50), velocity: (0, 6), visible: { $0 < 20 || $0 > 30 }),
        ]
        let first = try SceneRun(objects: objects, frames: 0..<60, configuration: Self.configuration)
        let second = try SceneRun(objects: objects, frames: 0..<60, configuration: Self.configuration)
        #expect(first.updates == second.updates)
        #expect(first.finished == second.finished)
    }

    @Test func skippedFrameIndicesArePredictedAcross() throws {
        // Every 4th frame is processed, and frames 44 and 48 are dropped: the prediction steps by the index
        // difference, so the jump of 36 px after the drop still overlaps (a 1-step prediction would be 24 px
        // short, IoU 0.25, below the gate).
        var tracker = try Tracker(configuration: TrackerConfiguration(maxAge: 2, minHits: 2, iouThreshold: 0.3))
        var ids: [Int?] = []
        for frame in Array(stride(from: 0, through: 40, by: 4)) + [52, 56, 60] {
            let box = Box(centerX: 100 + 3 * Double(frame), centerY: 100, width: 40, height: 80)
            let update = tracker.update(
                frameIndex: frame, time: Double(frame), detections: [TrackDetection(label: "car", classIndex: 3, score: 0.7, box: box)])
            ids.append(update.detections[0].trackID)
        }
        #expect(ids == [nil] + Array(repeating: 1, count: 13))
    }
}
