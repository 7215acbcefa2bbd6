import Imaging

/// One decoded video frame, owned by Swift and safe to send across actors.
public struct VideoFrame: Sendable {
    /// Position of the frame among all frames the decoder produced (0-based), counting frames skipped by selection.
    public let index: Int
    /// Presentation time in seconds in the stream's time base (best-effort timestamp); nil when the stream has none.
    public let presentationTime: Double?
    /// Size of the frame as decoded, before any scaling.
    public let sourceWidth: Int
    public let sourceHeight: Int
    /// Pixels at the source size or at the size the reader was asked for: RGB, or decoded YUV converted where it is
    /// read (``FramePixels``; a detector converts only the rows its resize reads).
    public let pixels: FramePixels

    /// The pixels in packed RGB (converted on first use, then kept).
    public var image: RGBImage { pixels.image }

    public init(index: Int, presentationTime: Double?, sourceWidth: Int, sourceHeight: Int, pixels: FramePixels) {
        self.index = index
        self.presentationTime = presentationTime
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.pixels = pixels
    }

    public init(index: Int, presentationTime: Double?, sourceWidth: Int, sourceHeight: Int, image: RGBImage) {
        self.init(
            index: index, presentationTime: presentationTime, sourceWidth: sourceWidth, sourceHeight: sourceHeight,
            pixels: FramePixels(image))
    }
}
