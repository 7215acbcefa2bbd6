/// A decoded frame whose size differs from the frame before it (or, for the first frame, from the stream header).
public struct FrameSizeChange: Sendable, Codable, Equatable {
    /// Index of the first frame with the new size, among all decoded frames.
    public var frame: Int
    public var width: Int
    public var height: Int

    public init(frame: Int, width: Int, height: Int) {
        self.frame = frame
        self.width = width
        self.height = height
    }
}
