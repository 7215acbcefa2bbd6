import Detection
import Foundation
import Logging
import ModelStore
import Sinks

extension Daemon {
    /// Raises the soft limit on open descriptors to the hard limit, so the listeners' reserve leaves the pipeline room.
    func raiseDescriptorLimit() {
        do {
            let limits = try OpenDescriptors.raiseSoftLimitToHardLimit()
            logger.debug(
                "open descriptor limit",
                metadata: [
                    "previous": "\(limits.previous.map(String.init) ?? "unlimited")", "now": "\(limits.current.map(String.init) ?? "unlimited")",
                ])
        } catch {
            logger.warning("cannot raise the open descriptor limit: \(error)")
        }
    }

    /// The resume points' keeper, in `[state] dir` or systemd's `$STATE_DIRECTORY`; nil when neither is set.
    func resumeCheckpointer() throws -> ResumeCheckpointer? {
        guard
            let directory = configuration.stateDirectory
                ?? ProcessInfo.processInfo.environment["STATE_DIRECTORY"]
                .flatMap({ $0.split(separator: ":").first.map(String.init) })
        else {
            logger.info("no state directory ([state] dir or $STATE_DIRECTORY): streams start from the beginning after a restart")
            return nil
        }
        return ResumeCheckpointer(store: try ResumeStore(directory: directory), streams: configuration.streams, logger: logger)
    }

    /// The compiled detectors, one per distinct model path, and which stream uses which. A model that fails to load
    /// or validate fails only the streams that use it (logged, and reported in their `stream` record); when every
    /// model fails the daemon does not start.
    func prepareModels() async throws -> PreparedModels {
        let streams = configuration.streams
        let modelPaths = streams.map { configuration.modelKey(for: $0) }
        let distinct = Array(Set(modelPaths)).sorted()
        let workers = configuration.workers
        let prepared = try await runBlocking("ssdd-load") { [logger] in
            var prepared = PreparedModels()
            var errors: [ModelKey: String] = [:]
            for path in distinct {
                do {
                    let model = try ModelFile(contentsOf: URL(fileURLWithPath: path.path))
                    let users = zip(streams, modelPaths).filter { $0.1 == path }.map(\.0)
                    prepared.detectors.append(
                        try InferenceWorker.compile(
                            model: model, streams: users, threads: workers.threads, winograd: workers.winograd,
                            precision: path.effectivePrecision(logger: logger), maxBatch: workers.maxBatch))
                } catch {
                    logger.error("model failed to load: \(error)", metadata: ["model": "\(path)"])
                    prepared.detectors.append(nil)
                    errors[path] = "\(error)"
                }
            }
            for (i, path) in modelPaths.enumerated() {
                if let error = errors[path] {
                    prepared.streamModel.append(nil)
                    prepared.failures[i] = "\(path): \(error)"
                } else {
                    prepared.streamModel.append(distinct.firstIndex(of: path))
                }
            }
            return prepared
        }
        if prepared.failures.count == streams.count, let first = prepared.failures.sorted(by: { $0.key < $1.key }).first {
            throw StartupError(key: "model.path", message: first.value)
        }
        return prepared
    }
}

/// Compiled detectors by distinct model, the model of each stream (nil when it failed) and why models failed.
struct PreparedModels: @unchecked Sendable {
    // Unchecked: built once on the loading thread, then only read (the detectors are handed to one worker each).
    var detectors: [Detector?] = []
    var streamModel: [Int?] = []
    var failures: [Int: String] = [:]
}
