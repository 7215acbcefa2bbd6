import ModelStore

/// Preprocessing settings given on import, because a Caffe prototxt does not state them: each non-nil value replaces
/// what the importer chose for the recognised architecture (VGG SSD: BGR, mean (104, 117, 123), scale 1;
/// MobileNet-SSD: BGR, mean 127.5, scale 0.007843).
public struct CaffePreprocessingOverrides: Sendable, Equatable {
    /// Per-channel mean subtracted from 0…255 pixels, in the network's channel order (B, G, R for `.bgr`).
    public var mean: [Float]?
    /// Factor applied after subtracting the mean: `(pixel − mean) · scale`.
    public var scale: Float?
    /// Channel order the network reads.
    public var channelOrder: ChannelOrder?

    public init(mean: [Float]? = nil, scale: Float? = nil, channelOrder: ChannelOrder? = nil) {
        self.mean = mean
        self.scale = scale
        self.channelOrder = channelOrder
    }

    /// No overrides: the defaults of the recognised architecture.
    public static let none = CaffePreprocessingOverrides()
}
