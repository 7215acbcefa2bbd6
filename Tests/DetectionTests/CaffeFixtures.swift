import Foundation
import ModelStore
import TestSupport

/// The Caffe parity fixtures of tools/caffe_ssd_fixtures.py (Tests/ModelImportTests/Fixtures/Caffe): prototxts,
/// weight recipes and OpenCV DNN's detections, read from the source tree.
enum CaffeFixtures {
    struct Golden: Decodable {
        struct Detection: Decodable {
            let label: Int
            let score: Float
            let box: [Float]
        }
        struct Photo: Decodable {
            let path: String
            let size: [Int]
            let input_fnv1a64: String
            let detections: [Detection]
        }
        struct Priors: Decodable {
            let count: Int
            let boxes_fnv1a64: String
            let variances_fnv1a64: String
            let sample_every: Int
            let sample: [Float]
            let feature_maps: [[Int]]
        }
        let model: String
        let prototxt: String
        let net_name: String
        let input_size: Int
        let mean: [Float]
        let scale: Float
        let caffemodel_bytes: Int
        let caffemodel_sha256: String
        let priors: Priors
        let recipe: [CaffeWeightRecipe]
        let photos: [Photo]
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("ModelImportTests/Fixtures/Caffe")

    static func golden(_ model: String) throws -> Golden {
        try JSONDecoder().decode(Golden.self, from: Data(contentsOf: directory.appendingPathComponent("\(model).golden.json")))
    }

    static func prototxt(_ model: String) -> URL { directory.appendingPathComponent("\(model).prototxt") }

    /// The caffemodel bytes the recipe gives (what the Python tool wrote and OpenCV read).
    static func caffemodel(_ golden: Golden) -> Data {
        CaffeModelWriter.data(netName: golden.net_name, layers: CaffeModelWriter.layers(recipes: golden.recipe))
    }

    /// OpenCV's detections in ssdd's order: by descending score, ties kept in OpenCV's order (OpenCV emits them
    /// grouped by ascending label, by descending score within a label).
    static func byScore(_ detections: [Golden.Detection]) -> [Golden.Detection] {
        detections.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
    }

    /// The PriorBox layers of the fixture prototxts, as the importer should read them (feature-map sizes as OpenCV
    /// reports them).
    static func priorBoxes(_ model: String, featureMaps: [[Int]]) -> [CaffePriorBox] {
        let variances: [Float] = [0.1, 0.1, 0.2, 0.2]
        let levels: [(min: [Float], max: [Float], ratios: [Float], step: Float?)]
        switch model {
        case "mobilenet_ssd_voc":
            levels = [
                ([60], [], [2], nil), ([105], [150], [2, 3], nil), ([150], [195], [2, 3], nil), ([195], [240], [2, 3], nil),
                ([240], [285], [2, 3], nil), ([285], [300], [2, 3], nil),
            ]
        case "ssd300_vgg16_voc":
            let mins: [Float] = [30, 60, 111, 162, 213, 264]
            let maxs: [Float] = [60, 111, 162, 213, 264, 315]
            let steps: [Float] = [8, 16, 32, 64, 100, 300]
            let ratios: [[Float]] = [[2], [2, 3], [2, 3], [2, 3], [2], [2]]
            levels = (0..<6).map { ([mins[$0]], [maxs[$0]], ratios[$0], steps[$0]) }
        default:
            let mins: [Float] = [35.84, 76.8, 153.6, 230.4, 307.2, 384.0, 460.8]
            let maxs: [Float] = [76.8, 153.6, 230.4, 307.2, 384.0, 460.8, 537.6]
            let steps: [Float] = [8, 16, 32, 64, 128, 256, 512]
            let ratios: [[Float]] = [[2], [2, 3], [2, 3], [2, 3], [2, 3], [2], [2]]
            levels = (0..<7).map { ([mins[$0]], [maxs[$0]], ratios[$0], steps[$0]) }
        }
        return zip(levels, featureMaps).map { level, map in
            CaffePriorBox(
                featureMapWidth: map[0], featureMapHeight: map[1], minSizes: level.min, maxSizes: level.max, aspectRatios: level.ratios,
                flip: true, clip: false, variances: variances, stepWidth: level.step, stepHeight: level.step)
        }
    }
}
