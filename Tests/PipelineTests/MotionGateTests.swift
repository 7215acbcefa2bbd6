import Imaging
import Testing

@testable import Pipeline

@Suite("Motion gate: which frames go to the detector (noise, motion, thresholds, refresh, resets)")
struct MotionGateTests {
    /// A 320 × 240 scene: a ramp with a 40 × 40 block `contrast` levels darker at (`blockX`, 100) when given, plus seeded
    /// pixel noise. The default grid has cells of 5 × 5 pixels here.
    static func scene(blockX: Int? = nil, contrast: Int = 60, brightness: Int = 0, noise: Int = 4, seed: UInt64 = 0) -> RGBImage {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        return RGBImage(width: 320, height: 240) { x, y in
            var value = 60 + x / 3 + brightness
            if let blockX, x >= blockX, x < blockX + 40, y >= 100, y < 140 { value -= contrast }
            if noise > 0 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                value += Int((state >> 33) % UInt64(2 * noise + 1)) - noise
            }
            let v = UInt8(clamping: value)
            return (v, v, v)
        }
    }

    @Test("the first frame is inferred; noisy repeats of a still scene are gated until the refresh is due")
    func stillSceneIsGated() {
        var gate = MotionGate(settings: MotionSettings())
        #expect(gate.decide(Self.scene(seed: 0), at: 0) == .noReference)
        var decisions: [MotionDecision] = []
        for i in 1...30 { decisions.append(gate.decide(Self.scene(seed: UInt64(i)), at: Double(i) / 10)) }
        // Default refresh 2 s at 10 fps: frame 20 (t = 2.0) is inferred again, the others are gated.
        #expect(decisions.enumerated().filter { $0.element.infers }.map { $0.offset + 1 } == [20])
        #expect(decisions[19] == .refresh)
    }

    @Test("a block appearing in, then moving across, a still noisy scene triggers the detector; standing still does not")
    func movingBlockTriggers() {
        var gate = MotionGate(settings: MotionSettings())
        #expect(gate.decide(Self.scene(), at: 0) == .noReference)
        #expect(gate.decide(Self.scene(seed: 1), at: 0.1) == .still)
        #expect(gate.decide(Self.scene(blockX: 100, seed: 2), at: 0.2) == .motion)
        #expect(gate.decide(Self.scene(blockX: 100, seed: 3), at: 0.3) == .still)
        #expect(gate.decide(Self.scene(blockX: 110, seed: 4), at: 0.4) == .motion)
    }

    @Test("slow motion adds up against the last inferred frame: 1 pixel per frame is inferred every few frames")
    func slowMotionAccumulates() {
        // A faint block (30 levels): a 1-pixel step moves an edge cell's mean by 6 levels, under the cell delta of 8.
        let frames = (0...20).map { Self.scene(blockX: 100 + $0, contrast: 30, noise: 0) }
        let thumbnails = frames.map { GreyThumbnail($0) }
        for step in 1...20 {
            let alone = thumbnails[step].difference(from: thumbnails[step - 1], cellThreshold: 8)
            #expect(alone.changedCells == 0, "step \(step) against the previous frame alone")
        }
        var gate = MotionGate(settings: MotionSettings(refreshSeconds: 3600))
        #expect(gate.decide(frames[0], at: 0) == .noReference)
        let inferred = (1...20).filter { gate.decide(frames[$0], at: Double($0)).infers }
        #expect(inferred.first == 2 && inferred.count >= 5 && inferred.count <= 10, "inferred at steps \(inferred)")
    }

    @Test("motion_threshold: the fraction of changed cells needed; a block's 16 changed cells of 3,072 (0.52 %)")
    func thresholdFraction() {
        // The 40-pixel block moved by 5 pixels: one column of 8 cells changes on each side.
        for (threshold, expected) in [(0.002, MotionDecision.motion), (0.0052, .motion), (0.0053, .still), (0.01, .still)] {
            var gate = MotionGate(settings: MotionSettings(threshold: threshold, refreshSeconds: 3600))
            _ = gate.decide(Self.scene(blockX: 100, noise: 0), at: 0)
            #expect(gate.decide(Self.scene(blockX: 105, noise: 0), at: 1) == expected, "threshold \(threshold)")
        }
    }

    @Test("motion_cell_delta: a uniform brightness change counts only when above it")
    func cellDelta() {
        // (A change of exactly the delta is not counted either, see GreyThumbnailTests; cell means are floats, so
        // here the changes stay a level away from it.)
        for (delta, change, expected) in [(8, 7, MotionDecision.still), (8, 9, .motion), (20, 19, .still), (20, 21, .motion)] {
            var gate = MotionGate(settings: MotionSettings(cellDelta: delta))
            _ = gate.decide(Self.scene(noise: 0), at: 0)
            #expect(gate.decide(Self.scene(brightness: change, noise: 0), at: 1) == expected, "delta \(delta), change \(change)")
        }
    }

    @Test("the periodic re-inference follows motion_refresh in stream time; time going back infers at once")
    func refresh() {
        var gate = MotionGate(settings: MotionSettings(refreshSeconds: 0.5))
        var inferred: [Int] = []
        for i in 0..<20 where gate.decide(Self.scene(seed: UInt64(i)), at: Double(i) / 10).infers { inferred.append(i) }
        #expect(inferred == [0, 5, 10, 15])
        #expect(gate.decide(Self.scene(seed: 99), at: 0.2) == .refresh, "a pts that went backwards (a new pass, a camera reset)")
        #expect(gate.decide(Self.scene(seed: 98), at: 0.3) == .still)
    }

    @Test("reset and a new frame size leave the gate without a reference: the next frame is inferred")
    func resets() {
        var gate = MotionGate(settings: MotionSettings())
        _ = gate.decide(Self.scene(), at: 0)
        #expect(gate.decide(Self.scene(seed: 1), at: 0.1) == .still)
        gate.reset()
        #expect(gate.decide(Self.scene(seed: 2), at: 0.2) == .noReference)
        #expect(gate.decide(RGBImage(width: 32, height: 24) { _, _ in (0, 0, 0) }, at: 0.3) == .noReference)
        #expect(gate.decide(RGBImage(width: 32, height: 24) { _, _ in (0, 0, 0) }, at: 0.4) == .still)
    }
}
