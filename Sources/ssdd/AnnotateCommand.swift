import ArgumentParser
import Detection
import Foundation
import Logging
import MediaIO
import ModelStore
import Pipeline
import Sinks
import TensorEngine
import Tracking

/// `ssdd annotate INPUT -o OUTPUT`: the input video with the detections drawn (box, label, score, track id) and the
/// stream's zones and lines, at the same size, frame count and frame rate.
///
/// Two passes over the input: the first is `ssdd detect`'s pipeline (``DetectPipeline``: the same records, which
/// `--jsonl` writes), the second (``VideoAnnotator``) decodes every frame again, draws and encodes.
struct AnnotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Write a copy of a video with the detections drawn: boxes, label and score, track ids, zones and lines.",
        discussion: """
            The output has the input's size, frame count and frame rate; it is H.264 (libx264) when this FFmpeg has \
            the encoder, MPEG-4 Part 2 otherwise, in the container OUTPUT's extension names (.mp4, .mkv, .avi). With \
            --every N (or a stream's every/fps), only every Nth frame is detected and the frames in between carry the \
            last boxes. --config FILE --stream NAME takes the model, thresholds, labels, every, fps, tracker and zones \
            of that stream; the options given here override them. INPUT must be a file: it is read twice (detection, \
            then drawing). --jsonl writes the same JSON lines as `ssdd detect`.
            """)

    @Argument(help: "The video file.")
    var input: String

    @Option(name: [.short, .long], help: "The annotated video to write (replaced if it exists).")
    var output: String

    @Option(help: "Model file (.safetensors made by `ssdd model import`).")
    var model: String?

    @Option(help: "Draw detections scoring at least this (0…1); default 0.5, or the stream's.")
    var threshold: Float?

    @Option(help: "A daemon configuration file; with --stream, use that stream's settings.")
    var config: String?

    @Option(help: "The stream of --config whose settings (and zones and lines) to use.")
    var stream: String?

    @Option(help: "Detect every Nth frame; the frames in between carry the last boxes.")
    var every: Int?

    @Option(help: "Also write the JSON lines (as `ssdd detect` prints them) to this file.")
    var jsonl: String?

    @Option(help: "Inference threads.")
    var threads = 1

    @Option(
        help:
            "Arithmetic of the network: fp32, bf16 or int8 (int8 needs a model from `ssdd model calibrate`; a precision the CPU lacks the instructions for runs fp32, with a warning)."
    )
    var precision: Precision = .fp32

    @Option(help: "Seconds a single open or read may block; 0 < S <= 86400.")
    var timeout: Double = 10

    func validate() throws {
        guard (config == nil) == (stream == nil) else { throw ValidationError("--config and --stream go together") }
        if let threshold, !(0...1).contains(threshold) { throw ValidationError("--threshold must be between 0 and 1, got \(threshold)") }
        if let every, every < 1 { throw ValidationError("--every must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        if let problem = VideoReaderOptions.timeoutProblem(timeout) { throw ValidationError("--timeout \(problem)") }
    }

    func run() async throws {
        try checkPaths()
        let (options, configured, modelPath) = try settings()
        let modelURL = try DefaultModel.resolve(model ?? modelPath)
        let file = try ModelFile(contentsOf: modelURL)
        try DetectCommand.check(labels: options.labels, of: file.manifest, file: modelURL.path)
        let lowest = ([options.threshold] + options.labelThresholds.values).min() ?? options.threshold
        var detectorOptions = DetectorOptions(threads: threads, minimumScore: lowest)
        detectorOptions.precision = precision.resolvedWarningOnce()
        let detector = try Detector(model: file, options: detectorOptions)
        let records = try await detect(detector: detector, options: options)
        var annotator = VideoAnnotator(input: input, output: output)
        annotator.timeout = timeout
        if let configured { annotator.overlay = { SceneOverlay.configured(for: configured, width: $0, height: $1) } }
        let progress = Progress(input: "\(input) (drawing)")
        let summary = try await annotator.run(records: records) { frames, total in
            progress.setTotal(total)
            progress.update(frame: frames)
        }
        progress.finish()
        Console.writeLine(
            "\(output): \(summary.frames) frames, \(summary.width)x\(summary.height), \(summary.frameRate) fps, \(summary.codec == .h264 ? "H.264" : "MPEG-4 Part 2")"
        )
    }

    /// INPUT must be a regular file (it is read twice) and OUTPUT a different file.
    private func checkPaths() throws {
        var status = stat()
        guard stat(input, &status) == 0 else { throw CLIError("\(input): \(String(cString: strerror(errno)))") }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw CLIError("\(input): not a regular file (annotate reads its input twice: detection, then drawing)")
        }
        var outputStatus = stat()
        if stat(output, &outputStatus) == 0 && outputStatus.st_dev == status.st_dev && outputStatus.st_ino == status.st_ino {
            throw CLIError("\(output): is the input; write the annotated video to another file")
        }
    }

    /// The detection options (the stream's when --config/--stream are given, then this command's options), the stream
    /// itself, and the stream's model.
    private func settings() throws -> (DetectOptions, StreamConfiguration?, String?) {
        var options = DetectOptions(timeout: timeout, kinds: [.frame])
        var configured: StreamConfiguration?
        var modelPath: String?
        if let config, let stream {
            let (daemon, found) = try DetectCommand.stream(stream, of: config)
            configured = found
            modelPath = found.model ?? daemon.modelPath
            options.threshold = found.threshold
            options.labelThresholds = found.labelThresholds
            options.labels = found.labels
            options.everyNth = found.everyNth
            options.maxFramesPerSecond = found.maxFramesPerSecond
            options.tracker = daemon.tracker
        }
        if let threshold { options.threshold = threshold }
        if let every { options.everyNth = every }
        return (options, configured, modelPath)
    }

    /// Pass 1: the detect pipeline over INPUT; the frame records by frame index (also written to --jsonl).
    private func detect(detector: Detector, options: DetectOptions) async throws -> [Int: FrameRecord] {
        var lines: DescriptorSink?
        if let jsonl {
            do {
                lines = try .creatingFile(jsonl)
            } catch {
                throw CLIError("\(jsonl): cannot open for writing: \(error)")
            }
        }
        let collector = FrameRecordCollector(forwardingTo: lines)
        let logger = Logger(label: "ssdd.annotate") { _ in SwiftLogNoOpLogHandler() }
        let queue = OutputQueue(name: "annotate", sink: collector, capacity: 256, overflowPolicy: .wait, logger: logger)
        let pipeline = try DetectPipeline(detector: detector, options: options, output: queue, logger: logger)
        let progress = Progress(input: "\(input) (detecting)")
        let report = StreamReport(onOpen: { progress.setTotal($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await queue.run() }
            do {
                try await pipeline.process(input, report: report, delivered: { progress.update(frame: $0 + 1) })
            } catch {
                queue.finish()
                throw error
            }
            queue.finish()
            try await group.waitForAll()
        }
        progress.finish()
        await collector.close()
        for warning in report.warnings { Console.error("\(input): \(warning)") }
        if let failure = report.failure { throw CLIError(failure) }
        if let failure = lines?.failure { throw CLIError(failure) }
        return collector.records
    }
}
