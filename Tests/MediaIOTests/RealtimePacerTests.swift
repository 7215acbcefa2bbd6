import MediaIO
import Testing

/// ``RealtimePacer`` on a virtual clock: the delays it asks for, never real waiting.
@Suite("Realtime pacing of file frames")
struct RealtimePacerTests {
    /// Feeds `timestamps` at the clock times the pacer asks for (each frame handed on once its delay has passed, plus
    /// `work` seconds of handling); returns the clock time each frame was handed on.
    static func play(_ timestamps: [Double?], start: Double = 1000, work: Double = 0) -> [Double] {
        var pacer = RealtimePacer()
        var now = start
        var handed: [Double] = []
        for pts in timestamps {
            now += pacer.delay(pts: pts, now: now)
            handed.append(now)
            now += work
        }
        return handed
    }

    static func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 }
    }

    @Test("frames are handed on when their timestamps are due, counted from the first frame")
    func paces() {
        var pacer = RealtimePacer()
        let first = pacer.delay(pts: 2.0, now: 50)
        let second = pacer.delay(pts: 2.04, now: 50)
        let third = pacer.delay(pts: 2.08, now: 50.07)
        let late = pacer.delay(pts: 2.12, now: 50.2)
        #expect(first == 0, "the first frame goes at once, whatever its timestamp")
        #expect(abs(second - 0.04) < 1e-9)
        #expect(abs(third - 0.01) < 1e-9)
        #expect(late == 0, "a late frame goes at once")
        let handed = Self.play([0, 0.04, 0.08, 0.12, 0.16], work: 0.01)
        #expect(Self.close(handed, [1000, 1000.04, 1000.08, 1000.12, 1000.16]), "\(handed)")
    }

    @Test("a looping file starting again is due one frame interval after the last frame, not at once or after a long wait")
    func loopWrap() {
        let handed = Self.play([0, 0.04, 0.08, 0, 0.04])
        #expect(Self.close(handed, [1000, 1000.04, 1000.08, 1000.12, 1000.16]), "\(handed)")
    }

    @Test("a reader held back for more than a second continues from now instead of catching up in a burst")
    func noBurstAfterStall() {
        var pacer = RealtimePacer()
        _ = pacer.delay(pts: 0, now: 0)
        _ = pacer.delay(pts: 0.04, now: 0.04)
        // Held back 5 s (a full queue): the next frame goes at once, the one after it one interval later.
        let afterStall = pacer.delay(pts: 0.08, now: 5.08)
        let next = pacer.delay(pts: 0.12, now: 5.08)
        // Less than a second late: caught up without re-anchoring.
        let slightlyLate = pacer.delay(pts: 0.16, now: 5.5)
        let ahead = pacer.delay(pts: 0.60, now: 5.5)
        #expect(afterStall == 0)
        #expect(abs(next - 0.04) < 1e-9)
        #expect(slightlyLate == 0)
        #expect(abs(ahead - 0.1) < 1e-9)
    }

    @Test("a jump of the timestamps far ahead starts a new timeline instead of a long wait")
    func jumpAhead() {
        let handed = Self.play([0, 0.04, 3600, 3600.04])
        #expect(Self.close(handed, [1000, 1000.04, 1000.08, 1000.12]), "\(handed)")
    }

    @Test("frames without a finite timestamp are due one interval after the previous frame")
    func missingTimestamps() {
        let handed = Self.play([0, 0.1, nil, .nan, 0.4, .infinity])
        #expect(Self.close(handed, [1000, 1000.1, 1000.2, 1000.3, 1000.4, 1000.5]), "\(handed)")
        let none = Self.play([nil, nil, nil])
        #expect(Self.close(none, [1000, 1000.04, 1000.08]), "\(none)")
    }
}
