import ArgumentParser
import Detection
import Foundation
import Imaging
import MediaIO
import ModelStore
import NeuralNet
import TensorEngine

extension ModelCommand {
    /// `ssdd model calibrate MODEL IMAGES… -o OUT`: the activation ranges INT8 needs.
    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure every convolution's input range on a few images (fp32) and write the model with them, for precision int8.",
            discussion:
                "Ranges are the minimum and maximum over all images (see ModelCalibration for why not a percentile). A handful of images like the ones the model will see is enough; JPEG, PNG or any still image FFmpeg decodes."
        )

        @Argument(help: "A native fp32 model file.")
        var model: String

        @Argument(help: "Calibration images.")
        var images: [String]

        @Option(name: [.short, .long], help: "Where to write the calibrated model.")
        var output: String

        @Option(help: "Inference threads.")
        var threads = 1

        func validate() throws {
            guard !images.isEmpty else { throw ValidationError("give at least one calibration image") }
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        }

        func run() throws {
            let file = try ModelFile(contentsOf: URL(fileURLWithPath: model))
            var options = DetectorOptions(threads: threads)
            options.fusesLayers = false
            let detector = try Detector(model: file, options: options)
            let calibration = try detector.calibration(on: images.map { try StillImage.decode($0) })
            try file.write(calibration: calibration, to: URL(fileURLWithPath: output))
            Console.write("calibrated \(calibration.ranges.count) convolutions on \(images.count) images → \(output)\n", to: STDERR_FILENO)
        }
    }

    /// `ssdd model compare-precision MODEL IMAGES…`: detections of bf16 and int8 against fp32.
    struct ComparePrecision: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare-precision",
            abstract: "Compare the detections of each reduced precision with fp32's on images (matched at IoU ≥ 0.9).",
            discussion: """
                Also prints the raw network outputs' relative error (‖reduced − fp32‖ / ‖fp32‖) and largest difference, \
                class logits and box regressions apart: a measure that needs no trained weights and no threshold. INT8 \
                needs a calibrated model (`ssdd model calibrate`). A precision this CPU cannot run is reported as skipped.
                """
        )

        @Argument(help: "A native model file (calibrated, for int8).")
        var model: String

        @Argument(help: "Images.")
        var images: [String]

        @Option(help: "Inference threads.")
        var threads = 1

        @Option(help: "Compare only detections scoring at least this (as `ssdd detect --threshold`); default: the model's own minimum.")
        var threshold: Float?

        func validate() throws {
            guard !images.isEmpty else { throw ValidationError("give at least one image") }
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
            if let threshold, !(0...1).contains(threshold) {
                throw ValidationError("--threshold must be between 0 and 1, got \(threshold)")
            }
        }

        func run() throws {
            let file = try ModelFile(contentsOf: URL(fileURLWithPath: model))
            let decoded = try images.map { try StillImage.decode($0) }
            /// One forward pass per image: its raw outputs and the detections made from them (what `detect` gives).
            func run(_ detector: Detector, _ image: RGBImage) throws -> (raw: (regressions: [Float], logits: [Float]), detections: [Detection]) {
                let raw = try detector.rawOutputs(detector.preprocess(image))
                let candidates = try detector.candidates(fromRaw: raw)
                return (raw, detector.detections(from: candidates, sourceWidth: image.width, sourceHeight: image.height))
            }
            let fp32 = try Detector(model: file, options: DetectorOptions(threads: threads, minimumScore: threshold))
            let reference = try decoded.map { try run(fp32, $0) }
            for precision in [Precision.bf16, .int8] {
                let resolution = precision.resolved()
                guard resolution.effective == precision else {
                    Console.writeLine("\(precision.rawValue): skipped (\(resolution.warning ?? "not available"))")
                    continue
                }
                var options = DetectorOptions(threads: threads, minimumScore: threshold)
                options.precision = precision
                let detector = try Detector(model: file, options: options)
                var comparison = PrecisionComparison()
                var logits = OutputDeviation(), regressions = OutputDeviation()
                for (expected, image) in zip(reference, decoded) {
                    let reduced = try run(detector, image)
                    comparison.add(reference: expected.detections, reduced: reduced.detections)
                    logits.add(reference: expected.raw.logits, reduced: reduced.raw.logits)
                    regressions.add(reference: expected.raw.regressions, reduced: reduced.raw.regressions)
                }
                Console.writeLine("\(precision.rawValue): \(comparison.summary)")
                Console.writeLine("\(precision.rawValue): raw outputs: class logits \(logits.summary); box regressions \(regressions.summary)")
            }
        }
    }
}
