import Foundation
import ModelStore

extension SSDVGG {
    /// torchvision's `_COCO_CATEGORIES`: 91 slots, `__background__` at 0 and `N/A` where COCO ids are unused.
    public static let torchvisionCOCOLabels: [String] = ["__background__"] + DefaultLabels.coco.dropFirst()

    /// torchvision `GeneralizedRCNNTransform` mean (RGB, 0…1); std is 1/255, so on 0…255 input the map is `x − mean·255`.
    public static let torchvisionMean: [Double] = [0.48235, 0.45882, 0.40784]

    /// The manifest torchvision's `ssd300_vgg16` implies (ssd.md §2.1, §3.1, §4.1); for SSD512 the same pipeline with
    /// the §1.5 default boxes as torchvision-flavoured scales (min sizes / 512; 537.65/512 rounds to 1.05).
    ///
    /// - Parameters:
    ///   - labels: one per class slot, slot 0 background (`labels.count` is the class count).
    ///   - source: provenance recorded in the manifest.
    public static func manifest(_ variant: Variant, labels: [String], source: String) -> ModelManifest {
        let size = variant.inputSize
        let boxes: DefaultBoxes
        switch variant {
        case .ssd300:
            boxes = DefaultBoxes(
                flavor: "torchvision", featureMapSizes: featureMapSizes(variant), aspectRatios: [[2], [2, 3], [2, 3], [2, 3], [2], [2]],
                scales: [0.07, 0.15, 0.33, 0.51, 0.69, 0.87, 1.05], steps: [8, 16, 32, 64, 100, 300], clip: true)
        case .ssd512:
            boxes = DefaultBoxes(
                flavor: "torchvision", featureMapSizes: featureMapSizes(variant),
                aspectRatios: [[2], [2, 3], [2, 3], [2, 3], [2, 3], [2], [2]],
                scales: [0.07, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1.05], steps: [8, 16, 32, 64, 128, 256, 512], clip: true)
        }
        let preprocessing = Preprocessing(
            inputWidth: size, inputHeight: size, resize: .halfPixelBilinear, scale: [1, 1, 1],
            offset: torchvisionMean.map { Float(-$0 * 255) }, normalizeBeforeResize: true)
        let heads = variant.anchorsPerLocation.indices.map { level in
            HeadOutputs(
                boxes: "head.regression_head.module_list.\(level)", classes: "head.classification_head.module_list.\(level)")
        }
        return ModelManifest(
            architecture: variant.rawValue, source: source, preprocessing: preprocessing, anchors: .ssdDefaultBoxes(boxes),
            boxCoding: BoxCoding(order: .xy, weights: [10, 10, 5, 5], sizeClamp: Float(log(1000.0 / 16))),
            scoring: .softmax,
            postprocessing: Postprocessing(
                scoreThreshold: 0.01, iouThreshold: 0.45, candidatesPerClass: 400, maxPerClass: nil, maxDetections: 200,
                clipping: .clipThenSuppress),
            labels: labels, heads: heads)
    }
}
