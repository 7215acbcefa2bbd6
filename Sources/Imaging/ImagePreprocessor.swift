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
    /// Write the channels as B, G, R (Caffe and OpenCV DNN models) instead of R, G, B. ``affine`` is given in the
    /// written order: its first scale and offset apply to blue then.
    public let reversesChannels: Bool

    /// - Precondition: `width` and `height` are positive (a model's validated input size), and `affineBeforeResize`
    ///   is false for ``BilinearResizer/Convention/openCVLinear``.
    public init(
        width: Int, height: Int, convention: BilinearResizer.Convention, affine: BilinearResizer.ChannelAffine, affineBeforeResize: Bool,
        reversesChannels: Bool = false
    ) {
        precondition(width > 0 && height > 0, "ImagePreprocessor: input size \(width)×\(height) must be positive")
        precondition(
            !(affineBeforeResize && convention == .openCVLinear), "ImagePreprocessor: OpenCV's 8-bit resize comes before the affine map")
        self.width = width
        self.height = height
        self.convention = convention
        self.affine = affine
        self.affineBeforeResize = affineBeforeResize
        self.reversesChannels = reversesChannels
    }

    /// Number of floats the input takes: `height × width × 3`.
    public var valueCount: Int { width * height * 3 }

    /// Writes the network input for `image` into `destination` (exactly ``valueCount`` floats, HWC).
    ///
    /// An image already at the input size is only mapped by the affine: both bilinear conventions sample each pixel
    /// with weight exactly 0 for its neighbour then, so the result is the same bits as resampling. A larger or smaller
    /// one is resampled from the rows the resize reads (``BilinearResizer``), so a source that converts rows on demand
    /// converts only those.
    public func write(_ image: some RGBRowSource, into destination: UnsafeMutableBufferPointer<Float>) {
        precondition(destination.count == valueCount, "ImagePreprocessor: destination holds \(destination.count) values, not \(valueCount)")
        // In RGB order first; for BGR the affine's first and last channels swap places, and so do the written values.
        let rgbAffine =
            reversesChannels
            ? BilinearResizer.ChannelAffine(
                scale: (affine.scale.2, affine.scale.1, affine.scale.0), offset: (affine.offset.2, affine.offset.1, affine.offset.0))
            : affine
        if image.width == width && image.height == height {
            BilinearResizer.floats(image.image, affine: rgbAffine, into: destination)
        } else {
            BilinearResizer.resize(
                image, width: width, height: height, convention: convention, affine: rgbAffine, affineBeforeResize: affineBeforeResize,
                into: destination)
        }
        if reversesChannels {
            var i = 0
            while i < destination.count {
                destination.swapAt(i, i + 2)
                i += 3
            }
        }
    }
}
