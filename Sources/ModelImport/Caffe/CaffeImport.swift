import Foundation
import ModelStore

/// Imports a Caffe SSD: the structure from `prototxt` (a deploy net in protobuf text format), the blobs from `weights`
/// (a binary `.caffemodel`, new `layer` or V1 `layers` format, possibly a training snapshot), matched by layer name.
///
/// - Parameters:
///   - labels: label per class slot (slot 0 background), or nil for the defaults (21 slots: PASCAL VOC).
///   - overrides: preprocessing values that replace the defaults of the recognised architecture.
public func importCaffeModel(
    prototxt: URL, weights: URL, labels: [String]?, overrides: CaffePreprocessingOverrides
) throws -> ImportedModel {
    try CaffeImporter(labels: labels, overrides: overrides).importModel(prototxt: prototxt, weights: weights)
}
