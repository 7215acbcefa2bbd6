import ArgumentParser
import Detection
import Foundation
import MediaIO
import ModelStore

/// `ssdd detect INPUT...`: run the detector over videos or images, one JSON line per processed frame.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Detect objects in videos or still images; print one JSON line per processed frame.",
        discussion: "Without --model the bundled person detector (models/person.safetensors) is used. Exit status 1 if any input failed; the others are still processed.")

    @Argument(help: "Video files, images, URLs or /dev/video* devices.")
    var inputs: [String]

    @Option(help: "Model file (.safetensors made by `ssdd model import`).")
    var model: String?

    @Option(name: [.short, .long], help: "Write JSON lines here; '-' is stdout.")
    var output = "-"

    @Option(help: "Report detections scoring at least this (0…1).")
    var threshold: Float = 0.5

    @Option(help: "Comma-separated labels to report, e.g. person,dog.")
    var labels: String?

    @Option(help: "Process every Nth frame.")
    var every = 1

    @Option(help: "Process at most F frames per second of stream time.")
    var fps: Double?

    @Option(help: "Inference threads (engine and OpenBLAS).")
    var threads = 1

    @Option(help: "Seconds a single open or read may block; 0 < S <= 86400.")
    var timeout: Double = 10

    func validate() throws {
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be between 0 and 1, got \(threshold)") }
        guard every >= 1 else { throw ValidationError("--every must be at least 1") }
        if let fps, !(fps > 0) { throw ValidationError("--fps must be positive") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        if let problem = VideoReaderOptions.timeoutProblem(timeout) { throw ValidationError("--timeout \(problem)") }
    }

    func run() throws {
        let modelURL = try DefaultModel.resolve(model)
        let file = try ModelFile(contentsOf: modelURL)
        let labelList = labels?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let detector = try Detector(model: file, options: DetectorOptions(threads: threads, minimumScore: threshold, labels: labelList))
        let sink = try LineOutput(path: output)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var failed = false
        for input in inputs {
            do {
                try process(input, detector: detector, sink: sink, encoder: encoder)
            } catch {
                failed = true
                Console.error("\(error)")
            }
        }
        try sink.close()
        if failed { throw ExitCode.failure }
    }

    private func process(_ input: String, detector: Detector, sink: LineOutput, encoder: JSONEncoder) throws {
        let options = VideoReaderOptions(timeout: timeout, selection: FrameSelection(everyNth: every, maxFramesPerSecond: fps))
        let reader = try VideoReader(input: input, options: options)
        let progress = Progress(input: input, total: reader.info.declaredFrameCount)
        defer { progress.finish() }
        while let frame = try reader.nextFrame() {
            let detections = try detector.detect(frame.image)
            let line = FrameLine(
                stream: input, frame: frame.index, pts: frame.presentationTime, width: frame.sourceWidth,
                height: frame.sourceHeight, detections: detections.map(FrameLine.DetectionEntry.init))
            try sink.write(String(decoding: try encoder.encode(line), as: UTF8.self))
            progress.update(frame: frame.index + 1)
        }
        for warning in reader.warnings { Console.error("\(input): \(warning)") }
        if reader.warnings.contains(where: { $0.contains("truncated") }) { throw CLIError("\(input): input ended early") }
    }
}
