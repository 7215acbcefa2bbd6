import ArgumentParser
import Detection
import Foundation
import Logging
import MediaIO
import ModelStore
import Pipeline
import Sinks
import TensorEngine

/// `ssdd detect INPUT...`: the daemon's pipeline over each input in turn, one JSON line per processed frame.
///
/// The records are the daemon's (`Sinks.FrameRecord`, one encoder): `ssdd detect X` writes the same `frame` lines,
/// byte for byte but `time`, as `ssdd run` with X as a file stream named X with the same threshold, labels, every and
/// fps (and the default tracker, so detections carry `track`). With `--config FILE --stream NAME` that stream's zones
/// and lines apply and `event` records are written too. Decoding runs on its own thread ahead of inference (a
/// bounded queue: it waits, never drops); the output waits for room too, so no line is ever dropped.
struct DetectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Detect objects in videos or still images; print one JSON line per processed frame.",
        discussion: """
            Without --model the bundled person detector (models/person.safetensors) is used. The lines are the \
            daemon's frame records (with track ids and the decode time); --all-records adds its track and stream \
            records. Exit status 1 if any input failed; the others are still processed.
            """)

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

    @Option(help: "Inference threads in all (see --workers; OpenBLAS runs one thread per worker).")
    var threads = 1

    @Option(
        help: """
            Frames inferred at once, each by a worker of its own with threads/workers threads (rounded down) that \
            split each layer (1 ≤ workers ≤ min(threads, 64); default: as many as --threads, at most 8: the most \
            frames/s). --workers 1 gives each frame every thread: the least latency per frame. The output is the \
            same either way.
            """)
    var workers: Int?

    @Option(
        help:
            "Arithmetic of the network: fp32, bf16 or int8 (int8 needs a model from `ssdd model calibrate`; a precision the CPU lacks the instructions for runs fp32, with a warning)."
    )
    var precision: Precision = .fp32

    @Option(help: "Seconds a single open or read may block; 0 < S <= 86400.")
    var timeout: Double = 10

    @Flag(help: "Also write the track (start/end) and stream (state) records, as the daemon does.")
    var allRecords = false

    @Option(help: "A daemon configuration file: with --stream, that stream's zones and lines apply (event records are written).")
    var config: String?

    @Option(help: "The stream of --config whose zones and lines apply.")
    var stream: String?

    @Flag(
        help: """
            Motion gating: run the detector only on frames that changed since the last inferred one (and at least \
            every 2 s of stream time); the others reuse the last detections and say "inferred": false. With --config \
            and --stream, that stream's motion_* settings apply.
            """)
    var motion = false

    @Flag(
        help: """
            Print to stderr the model's load time and, per input, the frames processed and frames/s from opening the \
            input to its last line (model load excluded, as peers report it).
            """)
    var stats = false

    /// Most workers without `--workers`: more threads than this split each frame's layers instead.
    static let defaultMaximumWorkers = 8

    func validate() throws {
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be between 0 and 1, got \(threshold)") }
        guard every >= 1 else { throw ValidationError("--every must be at least 1") }
        if let fps, !(fps > 0) { throw ValidationError("--fps must be positive") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256, got \(threads)") }
        if let workers, !(1...min(threads, DetectPipeline.maximumWorkers)).contains(workers) {
            throw ValidationError(
                "--workers must be between 1 and \(min(threads, DetectPipeline.maximumWorkers)) (--threads \(threads)), got \(workers)")
        }
        if let problem = VideoReaderOptions.timeoutProblem(timeout) { throw ValidationError("--timeout \(problem)") }
        guard (config == nil) == (stream == nil) else { throw ValidationError("--config and --stream go together") }
    }

    func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let modelURL = try DefaultModel.resolve(model)
        let file = try ModelFile(contentsOf: modelURL)
        let labelList = labels?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        try Self.check(labels: labelList, of: file.manifest, file: modelURL.path)
        // As the daemon compiles it: no label filter in the detector (the worker filters, after NMS).
        let workerCount = workers ?? min(threads, Self.defaultMaximumWorkers)
        var detectorOptions = DetectorOptions(threads: threads / workerCount, minimumScore: threshold)
        detectorOptions.precision = precision.resolvedWarningOnce()
        let detector = try Detector(model: file, options: detectorOptions)
        let sink: DescriptorSink
        do {
            sink = output == "-" ? .standardOutput() : try .creatingFile(output)
        } catch {
            throw CLIError("\(output): cannot open for writing: \(error)")
        }
        // The stages' logs are not shown: each input's failures and warnings come back in its report.
        let logger = Logger(label: "ssdd.detect") { _ in SwiftLogNoOpLogHandler() }
        // Overflow policy: wait. Detect never drops a line; a slow reader of stdout slows the pipeline down instead.
        let queue = OutputQueue(name: sink.name, sink: sink, capacity: 256, overflowPolicy: .wait, logger: logger)
        var options = DetectOptions(
            threshold: threshold, labels: labelList, everyNth: every, maxFramesPerSecond: fps, timeout: timeout,
            kinds: allRecords ? [.frame, .track, .stream] : [.frame])
        if let config, let stream {
            let configured = try Self.stream(stream, of: config).stream
            options.usePlaces(of: configured)
            if motion { options.motion = configured.motion ?? MotionSettings() }
        } else if motion {
            options.motion = MotionSettings()
        }
        let pipeline = try DetectPipeline(detector: detector, workers: workerCount, options: options, output: queue, logger: logger)
        if stats {
            let load = String(format: "%.3f", Self.seconds(started.duration(to: clock.now)))
            Console.write(
                "model \(modelURL.lastPathComponent) loaded and compiled in \(load) s "
                    + "(\(workerCount) worker(s) × \(detectorOptions.threads) thread(s), \(detectorOptions.precision.rawValue))\n",
                to: STDERR_FILENO)
        }
        let failed = try await withThrowingTaskGroup(of: Void.self, returning: Bool.self) { group in
            group.addTask { await queue.run() }
            var failed = false
            do {
                for input in inputs {
                    if try await !process(input, pipeline: pipeline) { failed = true }
                }
            } catch {
                // The queue's task ends only once the queue is finished, whatever happened.
                queue.finish()
                throw error
            }
            queue.finish()
            try await group.waitForAll()
            return failed
        }
        await sink.close()
        if let failure = sink.failure {
            Console.error(failure)
            throw ExitCode.failure
        }
        if failed { throw ExitCode.failure }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (whole, fraction) = duration.components
        return Double(whole) + Double(fraction) * 1e-18
    }

    /// Runs one input; reports its failure and warnings on stderr and returns false when it failed.
    private func process(_ input: String, pipeline: DetectPipeline) async throws -> Bool {
        let progress = Progress(input: input)
        let report = StreamReport(onOpen: { progress.setTotal($0) })
        let clock = ContinuousClock()
        let started = clock.now
        try await pipeline.process(input, report: report, delivered: { progress.update(frame: $0 + 1) })
        let elapsed = Self.seconds(started.duration(to: clock.now))
        progress.finish()
        if stats {
            let frames = progress.delivered
            Console.write(
                "\(input): \(frames) frames in \(String(format: "%.3f", elapsed)) s = "
                    + "\(String(format: "%.1f", Double(frames) / max(elapsed, 1e-9))) frames/s (model load excluded)\n",
                to: STDERR_FILENO)
        }
        for warning in report.warnings { Console.error("\(input): \(warning)") }
        if let failure = report.failure {
            Console.error(failure)
            return false
        }
        if report.warnings.contains(where: { $0.contains("truncated") }) {
            Console.error("\(input): input ended early")
            return false
        }
        return true
    }

    /// The configuration file `path` and its stream named `name` (`--config FILE --stream NAME` of detect and annotate).
    static func stream(_ name: String, of path: String) throws -> (daemon: DaemonConfiguration, stream: StreamConfiguration) {
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(path: path)
        } catch {
            throw CLIError("\(error)")
        }
        guard let stream = configuration.streams.first(where: { $0.name == name }) else {
            throw CLIError("\(path): no stream named '\(name)' (streams: \(configuration.streams.map(\.name).joined(separator: ", ")))")
        }
        return (configuration, stream)
    }

    /// Every label of `--labels` must be one of the model's classes (the detector's own check, made here because the
    /// detector is compiled without a label filter).
    static func check(labels: [String]?, of manifest: ModelManifest, file: String) throws {
        for label in labels ?? [] {
            guard let index = manifest.labels.firstIndex(of: label), index > 0 else {
                let known = manifest.labels.dropFirst().filter { $0 != "N/A" }.joined(separator: ", ")
                throw ModelValidationError(
                    file: file, key: "labels", problem: "do not include '\(label)' (label '\(label)' is not one of the model's classes: \(known))")
            }
        }
    }
}
