import Geometry
import Testing
import Tracking

/// Configuration validation errors and box geometry.
@Suite struct TrackerConfigurationTests {
    @Test(arguments: [
        (
            TrackerConfiguration(maxAge: -1),
            "invalid tracker configuration: tracker.maxAge must be an integer >= 0, got -1; fix the value in the [tracker] section"
        ),
        (
            TrackerConfiguration(minHits: 0),
            "invalid tracker configuration: tracker.minHits must be an integer >= 1, got 0; fix the value in the [tracker] section"
        ),
        (
            TrackerConfiguration(iouThreshold: 0),
            "invalid tracker configuration: tracker.iouThreshold must be a number in (0, 1], got 0.0; fix the value in the [tracker] section"
        ),
        (
            TrackerConfiguration(iouThreshold: .nan),
            "invalid tracker configuration: tracker.iouThreshold must be a number in (0, 1], got nan; fix the value in the [tracker] section"
        ),
    ])
    func invalidConfigurationIsRejectedWithTheKey(configuration: TrackerConfiguration, message: String) {
        #expect(throws: TrackingError.self) { try Tracker(configuration: configuration) }
        do {
            _ = try Tracker(configuration: configuration)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func defaultConfigurationIsValid() throws {
        let tracker = try Tracker()
        #expect(tracker.configuration == TrackerConfiguration(maxAge: 30, minHits: 3, iouThreshold: 0.3))
        #expect(tracker.nextTrackID == 1)
    }

    @Test(arguments: [
        (Box(x1: 0, y1: 0, x2: 10, y2: 10), Box(x1: 0, y1: 0, x2: 10, y2: 10), 1.0),
        (Box(x1: 0, y1: 0, x2: 10, y2: 10), Box(x1: 5, y1: 0, x2: 15, y2: 10), 50.0 / 150.0),
        (Box(x1: 0, y1: 0, x2: 10, y2: 10), Box(x1: 10, y1: 0, x2: 20, y2: 10), 0.0),
        (Box(x1: 0, y1: 0, x2: 10, y2: 10), Box(x1: 2, y1: 2, x2: 4, y2: 4), 4.0 / 100.0),
        (Box(x1: 0, y1: 0, x2: 0, y2: 10), Box(x1: 0, y1: 0, x2: 10, y2: 10), 0.0),
    ])
    func intersectionOverUnion(a: Box, b: Box, expected: Double) {
        #expect(abs(a.intersectionOverUnion(with: b) - expected) < 1e-12)
        #expect(abs(b.intersectionOverUnion(with: a) - expected) < 1e-12)
    }
}
