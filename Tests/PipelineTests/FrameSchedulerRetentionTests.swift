import Foundation
import Imaging
import MediaIO
import Testing

@testable import Pipeline

/// The scheduler holds a frame's pixels only while the frame waits: once a worker takes it (or a gated frame is
/// delivered), nothing in the scheduler keeps them. Checked by copy-on-write: the test keeps the pixel array it gave
/// the frame, and writing to it keeps the same buffer only if no one else holds that buffer any more.
@Suite("Frame scheduler: a taken or delivered frame's pixels are not kept by the queue")
struct FrameSchedulerRetentionTests {
    /// A 640×480 RGB frame made of `pixels`.
    static func frame(_ index: Int, _ pixels: [UInt8]) -> VideoFrame {
        VideoFrame(
            index: index, presentationTime: Double(index) / 25, sourceWidth: 640, sourceHeight: 480,
            image: RGBImage(width: 640, height: 480, pixels: pixels))
    }

    static func address(_ pixels: [UInt8]) -> UInt {
        pixels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
    }

    /// Writes to `pixels` and tells whether its buffer stayed where it was (it was not shared).
    static func wasUnshared(_ pixels: inout [UInt8]) -> Bool {
        let before = address(pixels)
        pixels[0] &+= 1
        return address(pixels) == before
    }

    static func make(live: Bool) -> FrameScheduler {
        FrameScheduler(
            liveStreams: [live], capacity: 8, metrics: PipelineMetrics(streamNames: ["cam"]), deliver: { _ in })
    }

    @Test("a frame a worker took and finished with is freed, for file and live streams", arguments: [false, true])
    func takenFrameIsFreed(live: Bool) {
        let scheduler = Self.make(live: live)
        var pixels = [UInt8](repeating: 7, count: 640 * 480 * 3)
        do {
            #expect(scheduler.accept(stream: 0, frame: Self.frame(0, pixels), frameIndex: 0) == .accepted)
            let item = scheduler.take()
            #expect(item?.frame.image.pixels.count == pixels.count)
        }
        scheduler.release(stream: 0)
        let freed = Self.wasUnshared(&pixels)
        #expect(freed, "the scheduler still holds the pixels of a frame it handed out")
    }

    @Test("after many frames, the scheduler holds the pixels of the waiting ones only")
    func onlyWaitingFramesAreHeld() {
        let scheduler = Self.make(live: false)
        var taken: [[UInt8]] = []
        // Fewer than the 64 consumed entries after which the queue compacts: before the fix all 40 stayed alive.
        for i in 0..<40 {
            let pixels = [UInt8](repeating: UInt8(i), count: 640 * 480 * 3)
            #expect(scheduler.accept(stream: 0, frame: Self.frame(i, pixels), frameIndex: i) == .accepted)
            _ = scheduler.take()
            scheduler.release(stream: 0)
            taken.append(pixels)
        }
        var waiting = [UInt8](repeating: 99, count: 640 * 480 * 3)
        #expect(scheduler.accept(stream: 0, frame: Self.frame(40, waiting), frameIndex: 40) == .accepted)
        let held = taken.indices.filter { !Self.wasUnshared(&taken[$0]) }
        #expect(held.isEmpty, "frames still held after being taken: \(held)")
        let waitingHeld = !Self.wasUnshared(&waiting)
        #expect(waitingHeld, "the waiting frame is the scheduler's to hand out")
    }

    @Test("a frame the motion gate held back is freed once it is delivered")
    func gatedFrameIsFreed() {
        let scheduler = Self.make(live: false)
        var pixels = [UInt8](repeating: 3, count: 640 * 480 * 3)
        #expect(scheduler.accept(stream: 0, frame: Self.frame(0, pixels), frameIndex: 0, gated: true) == .accepted)
        let freed = Self.wasUnshared(&pixels)
        #expect(freed, "the scheduler still holds the pixels of a gated frame it delivered")
    }
}
