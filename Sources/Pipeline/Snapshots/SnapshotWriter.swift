import Foundation
import Geometry
import Imaging
import Logging
import MediaIO
import Sinks

/// Draws, encodes and writes snapshot pictures on a thread of its own, behind a bounded queue, so a slow or failing
/// disk never holds up delivery: ``submit(_:)`` never waits; when ``SnapshotConfiguration/queueCapacity`` pictures
/// are waiting, a new track picture is dropped (its `end` record then names no file) and a new `latest.jpg` replaces
/// the stream's waiting one; both count as dropped. Every file is written to a temporary name in its directory and
/// renamed into place, so readers never see a partial picture. The retention sweep runs on the same thread at start
/// and every ``SnapshotConfiguration/cleanupInterval`` seconds.
final class SnapshotWriter: @unchecked Sendable {
    // Unchecked: `state` is touched only under `condition`; the encoders and `failing` only by the thread in `run()`.
    /// Per-stream counts.
    struct Counts: Sendable, Equatable {
        var written = 0
        var failed = 0
        var dropped = 0
    }

    private struct State {
        var queue: [SnapshotJob] = []
        var finishing = false
        var counts: [Counts]
    }

    let configuration: SnapshotConfiguration
    /// How latest pictures are made (file, memory or both); nil makes none.
    let latest: LatestPicturePolicy?
    /// Whether tracks' pictures (and crops) are made: false when the writer only keeps the HTTP API's latest pictures
    /// (`[http]` without `[output.snapshots]`).
    let tracks: Bool
    let paths: SnapshotPaths
    /// By stream slot; a reload appends (guarded by `condition` after `init`).
    private var streamNames: [String]
    private let logger: Logger
    private let condition = NSCondition()
    private var state: State
    /// One encoder for the full pictures (they keep one size), one for the crops (their size changes every time), so the
    /// pictures' encoder is not rebuilt for every crop.
    private let encoder: JPEGEncoder
    private let cropEncoder: JPEGEncoder
    private var failing = false

    /// A writer for `[output.snapshots]` alone (track pictures, `latest.jpg` files when `latest = true`).
    convenience init(configuration: SnapshotConfiguration, streamNames: [String], logger: Logger) {
        self.init(
            configuration: configuration, latest: LatestPicturePolicy.files(configuration), tracks: true, streamNames: streamNames,
            logger: logger)
    }

    /// A writer making latest pictures by `latest` and track pictures when `tracks`; `configuration` gives the JPEG
    /// quality, the crops and (when `tracks` or `latest.writesFile`) the directory.
    init(configuration: SnapshotConfiguration, latest: LatestPicturePolicy?, tracks: Bool, streamNames: [String], logger: Logger) {
        self.configuration = configuration
        self.latest = latest
        self.tracks = tracks
        self.paths = SnapshotPaths(root: configuration.directory)
        self.streamNames = streamNames
        self.logger = logger
        self.encoder = JPEGEncoder(quality: configuration.quality)
        self.cropEncoder = JPEGEncoder(quality: configuration.quality)
        state = State(counts: Array(repeating: Counts(), count: streamNames.count))
    }

    /// Creates `dir` when missing and each stream's directory in it (mode 0750); throws a ``StartupError`` naming
    /// `output.snapshots.dir`.
    func createDirectories() throws {
        try createDirectories(for: streamNames)
    }

    /// Adds a stream slot (a reload added or restarted the stream `name`): its counts, and its directory.
    func addSlot(name: String) {
        condition.withLock {
            streamNames.append(name)
            state.counts.append(Counts())
        }
        do {
            try createDirectories(for: [name])
        } catch {
            logger.error("\(error)", metadata: ["stream": "\(name)"])
        }
    }

    private func createDirectories(for streamNames: [String]) throws {
        for directory in [paths.root] + streamNames.map(paths.directory(stream:)) {
            if mkdir(directory, 0o750) != 0 && errno != EEXIST {
                throw StartupError(key: "output.snapshots.dir", message: "cannot create \(directory): \(String(cString: strerror(errno)))")
            }
            var status = stat()
            guard lstat(directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
                throw StartupError(key: "output.snapshots.dir", message: "\(directory) exists and is not a directory")
            }
        }
    }

    private func name(_ slot: Int) -> String { condition.withLock { slot < streamNames.count ? streamNames[slot] : "\(slot)" } }

    /// Per stream, pictures written, failed and dropped so far.
    var counts: [Counts] { condition.withLock { state.counts } }

    /// Registers the per-stream counts as `ssdd_snapshots_{written,failed,dropped}_total`, read at every scrape.
    /// A stream restarted by a reload (a new slot of the same name) keeps counting in its series.
    func sampleMetrics(into metrics: PipelineMetrics) {
        func family(_ metric: MetricDefinition, _ value: @escaping @Sendable (Counts) -> Int) {
            metrics.sample(metric, labelValues: countsByName().map { [$0.name] }, labels: { [self] in countsByName().map { [$0.name] } }) {
                [self] in countsByName().map { Double(value($0.counts)) }
            }
        }
        family(.snapshotsWritten) { $0.written }
        family(.snapshotsFailed) { $0.failed }
        family(.snapshotsDropped) { $0.dropped }
    }

    /// The counts summed by stream name, names in the order they first appeared.
    private func countsByName() -> [(name: String, counts: Counts)] {
        let (names, counts) = condition.withLock { (streamNames, state.counts) }
        var result: [(name: String, counts: Counts)] = []
        for (name, c) in zip(names, counts) {
            if let i = result.firstIndex(where: { $0.name == name }) {
                result[i].counts.written += c.written
                result[i].counts.failed += c.failed
                result[i].counts.dropped += c.dropped
            } else {
                result.append((name, c))
            }
        }
        return result
    }

    /// Queues `job` without waiting; false when it was dropped (the queue was full, or the writer is finishing).
    func submit(_ job: SnapshotJob) -> Bool {
        condition.withLock {
            if state.finishing {
                state.counts[job.stream].dropped += 1
                return false
            }
            if job.kind == .latest, let waiting = state.queue.firstIndex(where: { $0.kind == .latest && $0.stream == job.stream }) {
                state.queue[waiting] = job
                state.counts[job.stream].dropped += 1
                return true
            }
            guard state.queue.count < SnapshotConfiguration.queueCapacity else {
                state.counts[job.stream].dropped += 1
                return false
            }
            state.queue.append(job)
            condition.signal()
            return true
        }
    }

    /// Stops taking pictures; ``run()`` writes those already queued and returns.
    func finish() {
        condition.withLock {
            state.finishing = true
            condition.signal()
        }
    }

    /// The writer thread: sweeps old files, then writes queued pictures until ``finish()`` and the queue is empty,
    /// sweeping again every ``SnapshotConfiguration/cleanupInterval`` seconds.
    func run() {
        var nextSweep = Date()
        while true {
            if Date() >= nextSweep {
                sweep()
                nextSweep = Date().addingTimeInterval(SnapshotConfiguration.cleanupInterval)
            }
            condition.lock()
            while state.queue.isEmpty && !state.finishing && Date() < nextSweep {
                _ = condition.wait(until: nextSweep)
            }
            if state.queue.isEmpty && state.finishing {
                condition.unlock()
                return
            }
            let job = state.queue.isEmpty ? nil : state.queue.removeFirst()
            condition.unlock()
            if let job { render(job) }
        }
    }

    /// Draws and writes one job's files, counting the outcome.
    private func render(_ job: SnapshotJob) {
        let image = job.pixels.image
        var picture = image
        FrameAnnotations.draw(
            job.detections, overlay: job.overlay, on: &picture, sourceWidth: job.sourceWidth, sourceHeight: job.sourceHeight)
        if job.kind == .latest, let latest {
            renderLatest(job, picture: picture, policy: latest)
            return
        }
        var files = [(job.picture, picture, encoder)]
        if let crop = job.crop {
            let scaleX = Double(image.width) / Double(max(job.sourceWidth, 1))
            let scaleY = Double(image.height) / Double(max(job.sourceHeight, 1))
            if let cut = image.cropped(to: crop.box.scaled(x: scaleX, y: scaleY)) { files.append((crop.path, cut, cropEncoder)) }
        }
        var failure: String?
        for (name, image, jpeg) in files {
            do {
                try writeAtomically(try jpeg.encode(image), to: name)
            } catch {
                failure = "\(name): \(error)"
                break
            }
        }
        count(job, failure: failure)
    }

    /// Encodes a latest picture once, keeps the bytes for the API and writes `latest.jpg`, as `policy` says.
    private func renderLatest(_ job: SnapshotJob, picture: RGBImage, policy: LatestPicturePolicy) {
        var failure: String?
        do {
            let bytes = try encoder.encode(picture)
            policy.store?.store(bytes, stream: streamNames[job.stream])
            if policy.writesFile {
                do {
                    try writeAtomically(bytes, to: job.picture)
                } catch {
                    failure = "\(job.picture): \(error)"
                }
            }
        } catch {
            failure = "\(job.picture): \(error)"
        }
        count(job, failure: failure)
    }

    /// Counts `job`'s outcome and logs the first failure of a streak (and the recovery).
    private func count(_ job: SnapshotJob, failure: String?) {
        condition.withLock {
            if failure == nil { state.counts[job.stream].written += 1 } else { state.counts[job.stream].failed += 1 }
        }
        if let failure, !failing {
            logger.error("cannot write a snapshot: \(failure)", metadata: ["stream": "\(name(job.stream))"])
        } else if failure == nil && failing {
            logger.notice("snapshots are written again", metadata: ["stream": "\(name(job.stream))"])
        }
        failing = failure != nil
    }

    /// Writes `bytes` to a temporary file beside `name` (relative to `dir`), mode 0640, and renames it into place.
    private func writeAtomically(_ bytes: [UInt8], to name: String) throws {
        let path = (paths.root as NSString).appendingPathComponent(name)
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).tmp-\(getpid())")
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard descriptor >= 0 else { throw SnapshotFileError(call: "open", path: temporary, code: errno) }
        var problem: SnapshotFileError?
        if fchmod(descriptor, 0o640) != 0 { problem = SnapshotFileError(call: "fchmod", path: temporary, code: errno) }
        if problem == nil {
            let outcome = DescriptorWrite.all(bytes, to: descriptor)
            if !outcome.isComplete { problem = SnapshotFileError(call: "write", path: temporary, code: outcome.errno) }
        }
        if close(descriptor) != 0 && problem == nil { problem = SnapshotFileError(call: "close", path: temporary, code: errno) }
        if problem == nil && rename(temporary, path) != 0 { problem = SnapshotFileError(call: "rename", path: path, code: errno) }
        if let problem {
            unlink(temporary)
            throw problem
        }
    }

    /// Removes pictures (and temporary files left by a crash) older than `retain_days` from the streams' directories:
    /// regular files ending in `.jpg` or holding `.tmp-` in every directory directly under `dir`; nothing is followed
    /// through a symbolic link. `retain_days = 0` keeps everything.
    func sweep(now: Date = Date()) {
        guard configuration.retainDays > 0 else { return }
        let cutoff = now.timeIntervalSince1970 - configuration.retainDays * 86_400
        let manager = FileManager.default
        var removed = 0
        guard let directories = try? manager.contentsOfDirectory(atPath: paths.root) else { return }
        for directory in directories {
            let directoryPath = (paths.root as NSString).appendingPathComponent(directory)
            var status = stat()
            guard lstat(directoryPath, &status) == 0, status.st_mode & S_IFMT == S_IFDIR,
                let names = try? manager.contentsOfDirectory(atPath: directoryPath)
            else { continue }
            for name in names where name.hasSuffix(".jpg") || name.contains(".tmp-") {
                let path = (directoryPath as NSString).appendingPathComponent(name)
                guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
                let modified = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
                if modified < cutoff && unlink(path) == 0 { removed += 1 }
            }
        }
        if removed > 0 { logger.info("removed old snapshots", metadata: ["files": "\(removed)", "retain_days": "\(configuration.retainDays)"]) }
    }
}

/// A failed system call while writing a snapshot file.
struct SnapshotFileError: Error, CustomStringConvertible {
    let call: String
    let path: String
    let code: Int32

    var description: String { "\(call) \(path): \(String(cString: strerror(code)))" }
}
