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
    /// Pixels in packed RGB, at the source size or at the size the reader was asked for.
    public let image: RGBImage

    public init(index: Int, presentationTime: Double?, sourceWidth: Int, sourceHeight: Int, image: RGBImage) {
        self.index = index
        self.presentationTime = presentationTime
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.image = image
    }
}
