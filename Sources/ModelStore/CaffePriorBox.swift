/// One Caffe `PriorBox` layer (weiliu89/caffe `prior_box_param`) as the prototxt states it, with the size of the
/// feature map it is attached to. A Caffe SSD has one per head level, in the order of the `mbox_priorbox` concat.
public struct CaffePriorBox: Codable, Sendable, Equatable {
    public var featureMapWidth: Int
    public var featureMapHeight: Int
    /// `min_size`, in pixels of the network input (or of `img_size` when given).
    public var minSizes: [Float]
    /// `max_size`; empty or one per min size.
    public var maxSizes: [Float]
    /// `aspect_ratio` as written, before Caffe drops duplicates of 1 and adds the reciprocals when `flip`.
    public var aspectRatios: [Float]
    public var flip: Bool
    public var clip: Bool
    /// `variance`: one value or four.
    public var variances: [Float]
    /// `img_size` / `img_w` / `img_h`; nil means the network input size.
    public var imageWidth: Int?
    public var imageHeight: Int?
    /// `step` / `step_w` / `step_h`; nil means image size / feature-map size.
    public var stepWidth: Float?
    public var stepHeight: Float?
    public var offset: Float

    public init(
        featureMapWidth: Int, featureMapHeight: Int, minSizes: [Float], maxSizes: [Float], aspectRatios: [Float],
        flip: Bool, clip: Bool, variances: [Float], imageWidth: Int? = nil, imageHeight: Int? = nil,
        stepWidth: Float? = nil, stepHeight: Float? = nil, offset: Float = 0.5
    ) {
        self.featureMapWidth = featureMapWidth
        self.featureMapHeight = featureMapHeight
        self.minSizes = minSizes
        self.maxSizes = maxSizes
        self.aspectRatios = aspectRatios
        self.flip = flip
        self.clip = clip
        self.variances = variances
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.stepWidth = stepWidth
        self.stepHeight = stepHeight
        self.offset = offset
    }
}
