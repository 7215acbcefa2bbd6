import Imaging
import TensorEngine
import Testing

@testable import Detection

extension SSDLiteParityTests {
    @Test("a frame's input storage serves the next frame, never while it is held, and detections do not depend on the frame before")
    func inputStorageReuse() throws {
        let detector = try Self.detector.get()
        let (gradient, noise) = (try Self.image("gradient"), try Self.image("hashnoise"))
        func address(_ tensor: Tensor) -> UnsafePointer<Float>? { tensor.withUnsafeBufferPointer(\.baseAddress) }
        let first = address(detector.reusableInput(gradient, slot: 0))
        let second = detector.reusableInput(noise, slot: 0)
        #expect(address(second) == first, "the last frame's input is written again")
        #expect(second.values == detector.preprocess(noise).values)
        // Held (here, by `second`): a new storage, and the held values stay.
        let third = detector.reusableInput(gradient, slot: 0)
        #expect(address(third) != address(second))
        #expect(second.values == detector.preprocess(noise).values && third.values == detector.preprocess(gradient).values)
        let alone = try detector.detections(
            from: detector.candidates(for: detector.preprocess(gradient)), sourceWidth: gradient.width, sourceHeight: gradient.height)
        _ = try detector.detect(noise)
        #expect(try detector.detect(gradient) == alone)
        #expect(try detector.detect(batch: [noise, gradient, noise])[1] == alone)
    }
}
