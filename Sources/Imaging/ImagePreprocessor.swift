/// How an ``RGBImage`` becomes a network input: resized to the input size with a bilinear convention and mapped per
/// channel by an affine, written as float HWC straight into the caller's storage (one pass, no intermediate array).
///
/// Detection's `Detector` and Training's batch source both use this, so inference and training see bit-identical
/// inputs for the same image.
public struct ImagePreprocessor: Sendable, Equatable {
    /// Input width in pixels.
    public let width: Int
    /// Input height in pixels.
    public let height: Int
    /// How destination pixels map to source coordinates.
    public let convention: BilinearResizer.Convention
    /// The per-channel map from 0…255 values to network values.
    public let affine: BilinearResizer.ChannelAffine
    /// Apply ``affine`` before interpolating (torchvision) rather than after (TensorFlow).
    public let affineBeforeResize: Bool

    /// - Precondition: `width` and `height` are positive (a model's validated input size).
    public init(width: Int, height: Int, convention: BilinearResizer.Convention, affine: BilinearResizer.ChannelAffine, affineBeforeResize: Bool) {
        precondition(width > 0 && height > 0, "ImagePreprocessor: input size \(width)×\(height) must be positive")
        self.width = width
        self.height = height
        self.convention = convention
        self.affine = affine
        self.affineBeforeResize = affineBeforeResize
    }

    /// Number of floats the input takes: `height × width × 3`.
    public var valueCount: Int { width * height * 3 }

    /// Writes the network input for `image` into `destination` (exactly ``valueCount`` floats, HWC).
    ///
    /// An image already at the input size is only mapped by the affine: both bilinear conventions sample each pixel
    /// with weight exactly 0 for its neighbour then, so the result is the same bits as resampling.
    public func write(_ image: RGBImage, into destination: UnsafeMutableBufferPointer<Float>) {
        precondition(destination.count == valueCount, "ImagePreprocessor: destination holds \(destination.count) values, not \(valueCount)")
        if image.width == width && image.height == height {
            BilinearResizer.floats(image, affine: affine, into: destination)
        } else {
            BilinearResizer.resize(
                image, width: width, height: height, convention: convention, affine: affine, affineBeforeResize: affineBeforeResize,
                into: destination)
        }
    }
}
