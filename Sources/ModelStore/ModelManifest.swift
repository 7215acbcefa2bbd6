import NeuralNet

/// Everything besides the weights that a native model file (safetensors) states about its detector.
///
/// Stored as JSON under the safetensors metadata key `ssdd.manifest`; the network under `ssdd.graph`.
public struct ModelManifest: Codable, Sendable, Equatable {
    /// Version of this manifest schema.
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    /// Architecture name, e.g. `ssdlite_mobilenet_v2`, `ssd300_vgg16`, `ssd512_vgg16`.
    public var architecture: String
    /// Where the weights came from (file name, sha256, importer).
    public var source: String
    public var preprocessing: Preprocessing
    public var anchors: AnchorConfiguration
    public var boxCoding: BoxCoding
    public var scoring: Scoring
    public var postprocessing: Postprocessing
    /// Class labels by output slot; slot 0 is background.
    public var labels: [String]
    /// Graph outputs per feature-map level, in level order: box regressions [H, W, A·4] and class logits [H, W, A·K].
    public var heads: [HeadOutputs]
    /// Activation ranges for INT8 (`ssdd model calibrate`); nil in an uncalibrated model. Absent from older files.
    public var calibration: ModelCalibration?

    public init(
        formatVersion: Int = ModelManifest.currentFormatVersion, architecture: String, source: String,
        preprocessing: Preprocessing, anchors: AnchorConfiguration, boxCoding: BoxCoding, scoring: Scoring,
        postprocessing: Postprocessing, labels: [String], heads: [HeadOutputs]
    ) {
        self.formatVersion = formatVersion
        self.architecture = architecture
        self.source = source
        self.preprocessing = preprocessing
        self.anchors = anchors
        self.boxCoding = boxCoding
        self.scoring = scoring
        self.postprocessing = postprocessing
        self.labels = labels
        self.heads = heads
    }
}

/// Names of the two head outputs of one feature-map level.
public struct HeadOutputs: Codable, Sendable, Equatable {
    public var boxes: String
    public var classes: String

    public init(boxes: String, classes: String) {
        self.boxes = boxes
        self.classes = classes
    }
}

/// How a frame becomes the network input.
public struct Preprocessing: Codable, Sendable, Equatable {
    public var inputWidth: Int
    public var inputHeight: Int
    public var resize: ResizeConvention
    /// Per-channel (RGB) affine map applied to 0…255 pixel values: `y = x · scale[c] + offset[c]`.
    /// TF SSDLite: scale 2/255, offset −1. torchvision: scale 1/(255·std), offset −mean/std.
    public var scale: [Float]
    public var offset: [Float]
    /// Whether the affine map is applied before resizing (torchvision normalises, then resizes) or after (TF).
    public var normalizeBeforeResize: Bool
    /// Channel order of the network input; nil means RGB (files written before Caffe import have no such key).
    /// `scale` and `offset` are given per input channel, in this order.
    public var channelOrder: ChannelOrder?

    public init(
        inputWidth: Int, inputHeight: Int, resize: ResizeConvention, scale: [Float], offset: [Float],
        normalizeBeforeResize: Bool
    ) {
        self.inputWidth = inputWidth
        self.inputHeight = inputHeight
        self.resize = resize
        self.scale = scale
        self.offset = offset
        self.normalizeBeforeResize = normalizeBeforeResize
    }
}

/// Channel order of a network input.
public enum ChannelOrder: String, Codable, Sendable, Equatable {
    case rgb
    /// Caffe and OpenCV DNN models read BGR pixels.
    case bgr
}

/// The bilinear resize a model was trained and exported with.
public enum ResizeConvention: String, Codable, Sendable, Equatable {
    /// PyTorch `F.interpolate(mode="bilinear", align_corners=False)`: half-pixel centres.
    case halfPixelBilinear
    /// TensorFlow 1 `ResizeBilinear(align_corners=False)` without half-pixel centres: src = dst · in/out.
    case tensorFlowLegacyBilinear
    /// OpenCV `cv2.resize(INTER_LINEAR)` on 8-bit pixels: half-pixel centres, 11-bit fixed-point weights, rounded
    /// back to 8 bits (what OpenCV DNN users feed Caffe models).
    case openCVLinear
}

/// Default-box (anchor) generator and its parameters.
public enum AnchorConfiguration: Codable, Sendable, Equatable {
    /// TF Object Detection API `ssd_anchor_generator` (MultipleGridAnchorGenerator), normalised yxyx, unclipped.
    case tensorFlowMultipleGrid(TensorFlowAnchors)
    /// torchvision `DefaultBoxGenerator` / Caffe `PriorBox` style, per-level sizes and steps.
    case ssdDefaultBoxes(DefaultBoxes)
    /// Caffe `PriorBox` layers exactly as an imported prototxt states them, one per level.
    case caffePriorBoxes([CaffePriorBox])
}

/// Parameters of TF's `ssd_anchor_generator`.
public struct TensorFlowAnchors: Codable, Sendable, Equatable {
    public var minScale: Float
    public var maxScale: Float
    public var aspectRatios: [Float]
    public var reduceBoxesInLowestLayer: Bool
    public var interpolatedScaleAspectRatio: Float
    /// Feature-map sizes per level as [height, width].
    public var featureMapSizes: [[Int]]

    public init(
        minScale: Float, maxScale: Float, aspectRatios: [Float], reduceBoxesInLowestLayer: Bool,
        interpolatedScaleAspectRatio: Float, featureMapSizes: [[Int]]
    ) {
        self.minScale = minScale
        self.maxScale = maxScale
        self.aspectRatios = aspectRatios
        self.reduceBoxesInLowestLayer = reduceBoxesInLowestLayer
        self.interpolatedScaleAspectRatio = interpolatedScaleAspectRatio
        self.featureMapSizes = featureMapSizes
    }
}

/// Parameters of the paper's default boxes as torchvision and Caffe define them.
public struct DefaultBoxes: Codable, Sendable, Equatable {
    /// `torchvision` (DefaultBoxGenerator, scales, clamped w/h) or `caffe` (PriorBox, min/max sizes in pixels).
    public var flavor: String
    public var featureMapSizes: [Int]
    /// Extra aspect ratios per level (2 means boxes 2:1 and 1:2).
    public var aspectRatios: [[Int]]
    /// torchvision: scales per level (one more than levels). Caffe: min sizes then max sizes in pixels.
    public var scales: [Float]
    public var steps: [Int]
    public var clip: Bool

    public init(flavor: String, featureMapSizes: [Int], aspectRatios: [[Int]], scales: [Float], steps: [Int], clip: Bool) {
        self.flavor = flavor
        self.featureMapSizes = featureMapSizes
        self.aspectRatios = aspectRatios
        self.scales = scales
        self.steps = steps
        self.clip = clip
    }
}

/// Box coding: how regressions relate to anchors.
public struct BoxCoding: Codable, Sendable, Equatable {
    /// `yx` for TF (ty, tx, th, tw) with yxyx boxes; `xy` for torchvision/Caffe (dx, dy, dw, dh).
    public var order: CoordinateOrder
    /// Divisors for the centre and size terms, e.g. (10, 10, 5, 5), in the same order as the regressions.
    public var weights: [Float]
    /// torchvision clamps dw/dh at log(1000/16) before exp; nil for no clamp.
    public var sizeClamp: Float?

    public init(order: CoordinateOrder, weights: [Float], sizeClamp: Float?) {
        self.order = order
        self.weights = weights
        self.sizeClamp = sizeClamp
    }
}

/// Coordinate order of regressions and anchors.
public enum CoordinateOrder: String, Codable, Sendable, Equatable {
    case yx
    case xy
}

/// How class logits become scores.
public enum Scoring: String, Codable, Sendable, Equatable {
    /// Softmax over all slots including background (torchvision, Caffe).
    case softmax
    /// Independent sigmoid per slot, background discarded (TF Object Detection API).
    case sigmoid
}

/// Post-processing thresholds and order.
public struct Postprocessing: Codable, Sendable, Equatable {
    /// Candidates must score strictly above this.
    public var scoreThreshold: Float
    /// A box is suppressed when its IoU with a kept box of the same class is strictly above this.
    public var iouThreshold: Float
    /// Candidates per class before NMS (torchvision 400); nil for all.
    public var candidatesPerClass: Int?
    /// Boxes kept per class by NMS (TF 100); nil for no limit.
    public var maxPerClass: Int?
    /// Detections per image after merging classes.
    public var maxDetections: Int
    /// `clipThenSuppress` (torchvision; Caffe `DetectionOutput` with `clip: true`), `suppressThenClip` (TF graph: NMS
    /// on unclipped boxes, then clip, drop empty) or `unclipped` (Caffe `DetectionOutput` as OpenCV DNN runs it by
    /// default: boxes may reach outside the image).
    public var clipping: Clipping

    public init(
        scoreThreshold: Float, iouThreshold: Float, candidatesPerClass: Int?, maxPerClass: Int?, maxDetections: Int,
        clipping: Clipping
    ) {
        self.scoreThreshold = scoreThreshold
        self.iouThreshold = iouThreshold
        self.candidatesPerClass = candidatesPerClass
        self.maxPerClass = maxPerClass
        self.maxDetections = maxDetections
        self.clipping = clipping
    }
}

/// Where clipping to the image happens relative to NMS.
public enum Clipping: String, Codable, Sendable, Equatable {
    case clipThenSuppress
    case suppressThenClip
    /// Boxes are never clipped (Caffe `DetectionOutput` without `clip`, whose default is false).
    case unclipped
}
