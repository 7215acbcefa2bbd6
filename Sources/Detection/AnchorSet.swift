import ModelStore

/// Default boxes (anchors) in the model's own frame and coordinate order.
///
/// TF models use normalised [ymin, xmin, ymax, xmax] (frame 1×1, order `.yx`); torchvision uses pixel
/// [x1, y1, x2, y2] in the network input (frame 300×300, order `.xy`). Keeping each model's own convention makes
/// decoding bit-compatible with its reference implementation.
public struct AnchorSet: Sendable, Equatable {
    /// `count × 4` corner coordinates.
    public var values: [Float]
    public var order: CoordinateOrder
    /// Size of the coordinate frame: (1, 1) for normalised, (input width, input height) for pixels.
    public var frameWidth: Float
    public var frameHeight: Float
    /// Caffe `PriorBox` variances, `count × 4` (the second channel of the prior blob); nil for other generators.
    public var variances: [Float]?

    public var count: Int { values.count / 4 }

    public init(values: [Float], order: CoordinateOrder, frameWidth: Float, frameHeight: Float, variances: [Float]? = nil) {
        self.values = values
        self.order = order
        self.frameWidth = frameWidth
        self.frameHeight = frameHeight
        self.variances = variances
    }

    /// Generates the anchors a manifest describes.
    public init(_ configuration: AnchorConfiguration, inputWidth: Int, inputHeight: Int) throws(DetectionError) {
        switch configuration {
        case .tensorFlowMultipleGrid(let parameters):
            self = try AnchorSet.tensorFlow(parameters)
        case .ssdDefaultBoxes(let parameters):
            switch parameters.flavor {
            case "torchvision": self = try AnchorSet.torchvision(parameters, inputWidth: inputWidth, inputHeight: inputHeight)
            case "caffe": self = try AnchorSet.caffe(parameters, inputWidth: inputWidth, inputHeight: inputHeight)
            default: throw DetectionError.unsupportedAnchors("default-box flavor '\(parameters.flavor)' (expected torchvision or caffe)")
            }
        case .caffePriorBoxes(let levels):
            self = AnchorSet.caffePriorBoxes(levels, inputWidth: inputWidth, inputHeight: inputHeight)
        }
    }

    /// Anchors per feature-map location for each level, as the generator lays them out.
    public static func boxesPerLocation(_ configuration: AnchorConfiguration) -> [Int] {
        switch configuration {
        case .tensorFlowMultipleGrid(let p):
            return p.featureMapSizes.indices.map { level in
                level == 0 && p.reduceBoxesInLowestLayer ? 3 : p.aspectRatios.count + (p.interpolatedScaleAspectRatio > 0 ? 1 : 0)
            }
        case .ssdDefaultBoxes(let p):
            return p.aspectRatios.map { 2 + 2 * $0.count }
        case .caffePriorBoxes(let levels):
            return levels.map { $0.priorsPerLocation }
        }
    }
}
