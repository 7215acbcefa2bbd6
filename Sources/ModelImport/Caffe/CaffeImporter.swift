import Foundation
import ModelStore

/// Converts a Caffe SSD deploy prototxt and its caffemodel into a native model.
struct CaffeImporter {
    var labels: [String]?
    var overrides: CaffePreprocessingOverrides

    func importModel(prototxt: URL, weights: URL) throws -> ImportedModel {
        throw ModelImportError.cannotRead(file: prototxt.path, reason: "the Caffe importer is not implemented yet")
    }
}
