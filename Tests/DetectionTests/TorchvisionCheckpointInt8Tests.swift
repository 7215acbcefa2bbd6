import Detection
import Foundation
import Imaging
import ModelStore
import NeuralNet
import TensorEngine
import TestSupport
import Testing

extension TorchvisionCheckpointFixtureTests {
    /// The SSD300 checkpoint in INT8, calibrated on two images: every 3×3 layer but the 3-channel stem runs on the
    /// INT8 window path (``Int8WindowConvolution``), and the raw outputs stay within a few percent of fp32's
    /// (``OutputDeviation``; random weights, so no detections to compare).
    @Test(
        "in INT8 its 3×3 layers run quantized and its outputs stay close to fp32's",
        .enabled(if: Precision.int8.resolved().effective == .int8, "INT8 runs fp32 on this CPU (no VNNI or AVX2)"))
    func int8() throws {
        let model = try Self.imported.get()
        let directory = ScratchDirectory.make("tiny-pth-int8")
        let plain = directory.appendingPathComponent("ssd300_tiny.safetensors")
        let calibrated = directory.appendingPathComponent("ssd300_tiny-int8.safetensors")
        defer { try? FileManager.default.removeItem(at: directory) }
        try ModelFile.write(to: plain, graph: model.graph, manifest: model.manifest, parameters: model.parameters)
        var unfused = DetectorOptions(threads: 2)
        unfused.fusesLayers = false
        let fp32 = try Detector(model: ModelFile(contentsOf: plain), options: unfused)
        let image = TorchvisionParityTests.image
        let mirrored = RGBImage(width: image.width, height: image.height) { x, y in image[image.width - 1 - x, y] }
        try ModelFile(contentsOf: plain).write(calibration: fp32.calibration(on: [image, mirrored]), to: calibrated)
        var options = DetectorOptions(threads: 2)
        options.precision = .int8
        let int8 = try Detector(model: ModelFile(contentsOf: calibrated), options: options)

        let input = int8.preprocess(image)
        let kinds = try int8.network.forwardProfiled(input).timings.map(\.kind)
        #expect(kinds.filter { $0 == "conv3x3/int8" }.count >= 20, "\(kinds)")
        #expect(kinds.filter { $0.hasPrefix("conv3x3/") && $0 != "conv3x3/int8" }.count == 1, "only the stem stays fp32: \(kinds)")

        var logits = OutputDeviation(), regressions = OutputDeviation()
        let reference = try fp32.rawOutputs(input), reduced = try int8.rawOutputs(input)
        logits.add(reference: reference.logits, reduced: reduced.logits)
        regressions.add(reference: reference.regressions, reduced: reduced.regressions)
        print("SSD300 checkpoint int8 vs fp32: logits \(logits.summary); regressions \(regressions.summary)")
        #expect(logits.relativeError > 0 && regressions.relativeError > 0, "INT8 gave fp32's outputs exactly: it did not run")
        #expect(logits.relativeError < 0.1 && regressions.relativeError < 0.1, "logits \(logits.summary); regressions \(regressions.summary)")
        #expect(logits.nonFinite == 0 && regressions.nonFinite == 0)
    }
}
