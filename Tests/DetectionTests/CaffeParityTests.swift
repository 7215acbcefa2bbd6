import Detection
import Digests
import Foundation
import MediaIO
import ModelImport
import ModelStore
import TestSupport
import Testing

/// End-to-end parity with OpenCV DNN (`cv2.dnn.readNetFromCaffe`, opencv-python-headless 4.14) on the three Caffe
/// fixture layouts of tools/caffe_ssd_fixtures.py: the caffemodel is regenerated from the recipe, imported with
/// `importCaffeModel`, and run by ``Detector`` on darknet's photos, decoded by FFmpeg as the tool decoded them.
///
/// Comparison: OpenCV emits its rows grouped by ascending label (descending score within a label); ssdd emits
/// detections by descending score. OpenCV's rows are ordered by descending score (ties in OpenCV's order) and
/// compared one to one: the same count, the same labels in the same order, scores within 1e-4, boxes within 0.05 px
/// of the photo (OpenCV's normalised corners times the photo's width and height, as ssdd maps them).
///
/// Measured (debug build, 2 threads, 2026-12-03): MobileNet-SSD dog/person/horses 70/70, 10/10, 18/18 detections,
/// max |Δscore| 2.3e-6, 2.1e-6, 2.7e-6, max |Δbox| 3.1e-4, 1.2e-4, 1.6e-4 px; SSD300 dog/person 200/200 each,
/// 2.5e-5 and 6.8e-6, 6.9e-4 and 4.9e-4 px; SSD512 dog 200/200, 1.1e-5, 6.7e-4 px. The suite takes about 20 s in a
/// debug build on an AVX2-only Zen 1 (12 minutes before `TensorKernelsAVX512` was built optimised in debug builds too;
/// 77 s before the caffemodel's packed values were copied whole and the kernels compiled as one module).
@Suite("Caffe SSD: parity with OpenCV DNN", .serialized)
struct CaffeParityTests {
    /// Photos per model: SSD512 is the slowest net, one forward pass is enough there.
    static let cases: [(model: String, photos: Int)] = [("mobilenet_ssd_voc", 3), ("ssd300_vgg16_voc", 2), ("ssd512_vgg16_voc", 1)]

    @Test("import, detect, compare with OpenCV", arguments: cases.map(\.model))
    func parity(model: String) throws {
        let golden = try CaffeFixtures.golden(model)
        let directory = try TemporaryDirectory(prefix: "ssdd-caffe-parity")
        defer { directory.remove() }
        let weights = directory.file("\(model).caffemodel")
        let data = CaffeFixtures.caffemodel(golden)
        try #require(try SHA256Digest.hexadecimal(of: data) == golden.caffemodel_sha256, "the recipe no longer gives the tool's caffemodel")
        try data.write(to: weights)
        let imported = try importCaffeModel(prototxt: CaffeFixtures.prototxt(model), weights: weights, labels: nil, overrides: .none)
        let file = directory.file("\(model).safetensors")
        try ModelFile.write(to: file, graph: imported.graph, manifest: imported.manifest, parameters: imported.parameters)
        let detector = try Detector(model: ModelFile(contentsOf: file), options: DetectorOptions(threads: 2))
        let photos = Self.cases.first { $0.model == model }?.photos ?? 1
        for photo in golden.photos.prefix(photos) {
            let image = try StillImage.decode(photo.path)
            try #require(FNV1a.hexDigest(image.pixels) == photo.input_fnv1a64, "\(photo.path) decodes to other pixels than the tool saw")
            let ours = try detector.detect(image)
            let expected = CaffeFixtures.byScore(photo.detections)
            #expect(ours.count == expected.count, "\(model) \(photo.path): \(ours.count) detections, OpenCV \(expected.count)")
            let width = Float(image.width)
            let height = Float(image.height)
            var worstScore: Float = 0
            var worstBox: Double = 0
            var labelsDiffer = 0
            for (mine, theirs) in zip(ours, expected) {
                if mine.classIndex != theirs.label { labelsDiffer += 1 }
                worstScore = max(worstScore, abs(mine.score - theirs.score))
                let reference = [theirs.box[0] * width, theirs.box[1] * height, theirs.box[2] * width, theirs.box[3] * height]
                let box = [mine.box.x1, mine.box.y1, mine.box.x2, mine.box.y2]
                worstBox = max(worstBox, zip(box, reference).map { abs($0 - Double($1)) }.max() ?? 0)
            }
            // The measured agreement, for the record (the closing note of issue 16 quotes it).
            print(
                "CaffeParity \(model) \(photo.path): \(ours.count)/\(expected.count) detections, "
                    + "max |Δscore| \(worstScore), max |Δbox| \(worstBox) px")
            #expect(labelsDiffer == 0, "\(model) \(photo.path): \(labelsDiffer) labels differ in order")
            #expect(worstScore <= 1e-4, "\(model) \(photo.path): scores differ by up to \(worstScore)")
            #expect(worstBox <= 0.05, "\(model) \(photo.path): boxes differ by up to \(worstBox) px")
        }
    }
}
