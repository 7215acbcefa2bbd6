import Detection
import Foundation
import Imaging
import ModelImport
import ModelStore
import NeuralNet
import TensorEngine
import TestSupport
import Testing

/// Detections of the real person model in INT8 against fp32 on Debian's darknet sample
/// photos, matched at IoU ≥ 0.9 (``PrecisionComparison``). INT8 is calibrated on the four photos without people and
/// compared on all seven. The bounds are the figures measured on this model (README, "Reduced precision") with a
/// margin; `ssdd model compare-precision` prints the same comparison. BF16 (no calibration) runs where the CPU has
/// AVX-512 BF16.
@Suite("Reduced precision: accuracy on the sample photos", .serialized)
struct ReducedPrecisionAccuracyTests {
    static let photos = ["person", "horses", "kite", "dog", "eagle", "giraffe", "scream"]
    static let calibrationPhotos = ["dog", "eagle", "giraffe", "scream"]
    /// Reported down to this score, below the model's 0.5, so that more detections are compared.
    static let minimumScore: Float = 0.3

    static var available: Bool {
        RealPersonModel.isAvailable && photos.allSatisfy { FileManager.default.fileExists(atPath: "/usr/share/darknet/data/\($0).jpg") }
    }

    static func image(_ name: String) throws -> RGBImage {
        try SSDLiteParityTests.image(name)
    }

    static func comparison(_ precision: Precision, model: ModelFile) throws -> PrecisionComparison {
        let fp32 = try Detector(model: model, options: DetectorOptions(threads: 2, minimumScore: minimumScore))
        var options = DetectorOptions(threads: 2, minimumScore: minimumScore)
        options.precision = precision
        let reduced = try Detector(model: model, options: options)
        var comparison = PrecisionComparison()
        for name in photos {
            let image = try image(name)
            comparison.add(reference: try fp32.detect(image), reduced: try reduced.detect(image))
        }
        return comparison
    }

    @Test(.enabled(if: available, "needs models/frozen_inference_graph.pb and the darknet photos (apt darknet)"))
    func int8StaysCloseToFP32() throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-int8-accuracy")
        defer { directory.remove() }
        let plain = try RealPersonModel.file()
        var unfused = DetectorOptions(threads: 2)
        unfused.fusesLayers = false
        let fp32 = try Detector(model: plain, options: unfused)
        // A fused network cannot be calibrated (its blocks never write their inner convolutions' inputs).
        #expect(throws: NetworkError.self) {
            try Detector(model: plain, options: DetectorOptions(threads: 2)).calibration(on: [Self.image(Self.calibrationPhotos[0])])
        }
        let calibration = try fp32.calibration(on: Self.calibrationPhotos.map { try Self.image($0) })
        #expect(calibration.images == 4 && calibration.ranges.count > 50, "\(calibration.ranges.count) ranges")
        let url = directory.file("person-int8.safetensors")
        try plain.write(calibration: calibration, to: url)
        let comparison = try Self.comparison(.int8, model: ModelFile(contentsOf: url))
        print("int8 vs fp32 on \(Self.photos.count) photos: \(comparison.summary)")
        // Measured (debug build, AVX2 tile; VNNI computes the same integers): matched 3/3 (changed 2), disappeared 0,
        // appeared 0, max |Δscore| 0.0457, min IoU 0.981.
        #expect(comparison.reference >= 3, "too few fp32 detections to compare: \(comparison.summary)")
        #expect(comparison.maximumScoreDelta <= 0.08, "\(comparison.summary)")
        #expect(comparison.appeared + comparison.disappeared <= 1, "\(comparison.summary)")
        #expect(comparison.maximumScoreDelta > 0, "INT8 gave fp32's scores exactly: the INT8 kernels did not run")
    }

    @Test(
        .enabled(if: available, "needs models/frozen_inference_graph.pb and the darknet photos (apt darknet)"),
        .enabled(
            if: Precision.bf16.resolved().effective == .bf16,
            "precision bf16 runs fp32 on this CPU (no AVX-512 BF16, or vdpbf16ps slower than fp32)"))
    func bf16StaysCloseToFP32() throws {
        let comparison = try Self.comparison(.bf16, model: RealPersonModel.file())
        print("bf16 vs fp32 on \(Self.photos.count) photos: \(comparison.summary)")
        // Measured (release build, Zen 5): matched 3/3 (changed 0), disappeared 0, appeared 0, max |Δscore| 0.0006,
        // min IoU 0.992.
        #expect(comparison.reference >= 3, "too few fp32 detections to compare: \(comparison.summary)")
        #expect(comparison.matched == comparison.reference && comparison.appeared == 0, "\(comparison.summary)")
        #expect(comparison.maximumScoreDelta <= 0.005, "\(comparison.summary)")
        #expect(comparison.maximumScoreDelta > 0, "BF16 gave fp32's scores exactly: the BF16 kernels did not run")
    }

    @Test(.enabled(if: RealPersonModel.isAvailable, "needs models/frozen_inference_graph.pb"))
    func int8WithoutCalibrationSaysToCalibrate() throws {
        let model = try RealPersonModel.file()
        var options = DetectorOptions()
        options.precision = .int8
        #expect(
            throws: ModelValidationError(
                file: model.url.path, key: "calibration",
                problem: "is missing, and precision int8 needs it: run `ssdd model calibrate \(model.url.path) IMAGES… -o OUT` and use OUT")
        ) { try Detector(model: model, options: options) }
    }
}

/// The real person graph imported once per process into a native model (as ``SSDLiteParityTests`` does).
enum RealPersonModel {
    static var isAvailable: Bool {
        ProcessInfo.processInfo.environment["SSDD_REQUIRE_REAL_GRAPH"] == "1"
            || FileManager.default.fileExists(atPath: SSDLiteParityTests.graphURL.path)
    }

    static let url: Result<URL, any Error> = Result {
        let url = ScratchDirectory.make("precision").appendingPathComponent("person.safetensors")
        try importModel(from: SSDLiteParityTests.graphURL, to: url, labels: nil)
        return url
    }

    static func file() throws -> ModelFile { try ModelFile(contentsOf: url.get()) }
}
