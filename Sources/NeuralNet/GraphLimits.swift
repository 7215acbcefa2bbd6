/// Bounds on the values a ``NetworkGraph`` may state, so a hostile or corrupt graph is rejected with a message naming
/// the value before any arithmetic or allocation uses it.
///
/// The defaults are far above every network ssdd imports (SSD512's 512×512 input, 1024 channels, dilation 6) and far
/// below what overflows the engine's arithmetic.
public struct GraphLimits: Sendable, Equatable {
    /// Nodes in the graph.
    public var maximumNodes: Int
    /// Height or width of the input and of any value.
    public var maximumSpatialSize: Int
    /// Channels of the input and of any value.
    public var maximumChannels: Int
    /// Kernel height or width of a convolution or pooling window.
    public var maximumKernelSize: Int
    /// Stride of a convolution or pooling window.
    public var maximumStride: Int
    /// Dilation of a convolution.
    public var maximumDilation: Int
    /// Padding on one side of a convolution or pooling window.
    public var maximumPadding: Int

    public init(
        maximumNodes: Int = 10_000, maximumSpatialSize: Int = 8192, maximumChannels: Int = 65_536,
        maximumKernelSize: Int = 32, maximumStride: Int = 32, maximumDilation: Int = 64, maximumPadding: Int = 1024
    ) {
        self.maximumNodes = maximumNodes
        self.maximumSpatialSize = maximumSpatialSize
        self.maximumChannels = maximumChannels
        self.maximumKernelSize = maximumKernelSize
        self.maximumStride = maximumStride
        self.maximumDilation = maximumDilation
        self.maximumPadding = maximumPadding
    }

    /// The limits ssdd loads models with.
    public static let standard = GraphLimits()
}
