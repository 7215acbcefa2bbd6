import Foundation
import ModelStore
import NeuralNet
import TensorEngine
import TestSupport
import Testing

/// The calibration `ssdd model calibrate` adds to a manifest: written and read back, and every hostile value rejected
/// on load with the key named.
@Suite struct ModelCalibrationTests {
    typealias Tiny = ModelFileTests

    @Test func writeAddsCalibrationAndKeepsTheRest() throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-calibration-tests")
        defer { directory.remove() }
        let plain = directory.file("tiny.ssdd"), calibrated = directory.file("tiny-int8.ssdd")
        try ModelFile.write(to: plain, graph: Tiny.graph, manifest: Tiny.manifest, parameters: Tiny.parameters)
        let calibration = ModelCalibration(images: 3, ranges: ["conv": ActivationRange(low: -1.5, high: 6)])
        try ModelFile(contentsOf: plain).write(calibration: calibration, to: calibrated)
        let model = try ModelFile(contentsOf: calibrated)
        #expect(model.manifest.calibration == calibration)
        var expected = Tiny.manifest
        expected.calibration = calibration
        #expect(model.manifest == expected)
        #expect(model.graph == Tiny.graph)
        #expect(model.parameterNames == ["conv/biases", "conv/weights", "unused"])
        try model.withParameter(named: "conv/weights") { #expect(Array($0.values) == Tiny.weights) }
        // The uncalibrated original has none.
        #expect(try ModelFile(contentsOf: plain).manifest.calibration == nil)
    }

    @Test(arguments: [
        (
            ModelCalibration(images: 1, ranges: ["conv": ActivationRange(low: 0, high: 1e7)]), "calibration.ranges.conv.high",
            "is 10000000.0, expected a finite value within ±1e6"
        ),
        (
            ModelCalibration(images: 1, ranges: ["conv": ActivationRange(low: -2e6, high: 1)]), "calibration.ranges.conv.low",
            "is -2000000.0, expected a finite value within ±1e6"
        ),
        (ModelCalibration(images: 1, ranges: ["conv": ActivationRange(low: 2, high: 1)]), "calibration.ranges.conv", "has low 2.0 above high 1.0"),
        (
            ModelCalibration(images: 1, ranges: ["input": ActivationRange(low: 0, high: 1)]), "calibration.ranges.input",
            "names no convolution node of the graph"
        ),
        (ModelCalibration(method: "percentile", images: 1, ranges: [:]), "calibration.method", "is 'percentile', expected 'minmax'"),
        (ModelCalibration(images: 0, ranges: [:]), "calibration.images", "is 0, expected ≥ 1"),
    ])
    func loadRejectsHostileCalibration(_ calibration: ModelCalibration, key: String, reason: String) throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-calibration-tests")
        defer { directory.remove() }
        let url = directory.file("hostile.ssdd")
        var manifest = Tiny.manifest
        manifest.calibration = calibration
        // The plain writer does not check calibration, as a hostile file would not have been checked either.
        try ModelFile.write(to: url, graph: Tiny.graph, manifest: manifest, parameters: Tiny.parameters)
        let error = ModelStoreError.invalidCalibration(file: url.path, key: key, reason: reason)
        #expect(throws: error) { try ModelFile(contentsOf: url) }
        #expect(error.description == "'\(url.path)': calibration '\(key)' \(reason); run `ssdd model calibrate` again on the fp32 model")
        // And the calibrating writer refuses to write it.
        let plain = directory.file("plain.ssdd")
        try ModelFile.write(to: plain, graph: Tiny.graph, manifest: Tiny.manifest, parameters: Tiny.parameters)
        #expect(throws: ModelStoreError.self) { try ModelFile(contentsOf: plain).write(calibration: calibration, to: directory.file("out.ssdd")) }
    }
}
