import Foundation
import Logging
import Sinks

/// What a reload changes in the outputs.
extension Outputs {
    /// Routes stream slot `slot` (named in `configuration`, the reloaded configuration) to its outputs: the shared
    /// file, or its own `<stream>.jsonl` with `per_stream = true` (opened now, or shared with a slot of the same name
    /// still draining), then the socket, the brokers and any other all-streams output (`State.otherQueues`). Throws a
    /// ``StartupError`` naming the key when a file cannot be opened.
    func addSlot(_ slot: Int, stream name: String, configuration: DaemonConfiguration, logger: Logger) async throws {
        var queues: [OutputQueue] = []
        if let file = configuration.output.file {
            let wanted = file.perStream ? (file.path as NSString).appendingPathComponent("\(name).jsonl") : file.path
            if let queue = fileQueue(path: wanted) {
                queues.append(queue)
            } else if let output = configuration.fileOutputs.first(where: { $0.configuration.path == wanted }) {
                queues.append(try await openFile(output.configuration, logger: logger))
            }
        }
        let others = lock.withLock { (state.publisherQueue.map { [$0] } ?? []) + state.brokerQueues + state.otherQueues }
        routing.set(slot: slot, queues + others)
    }

    /// Called once delivery has finished slot `slot` (a reload removed or restarted its stream): a per-stream file no
    /// other slot writes to is drained and closed.
    func removeSlot(_ slot: Int, logger: Logger) async {
        let own = routing.queues(slot: slot)
        routing.set(slot: slot, [])
        let stillUsed = Set(routing.all.joined().map { ObjectIdentifier($0) })
        for queue in own where !stillUsed.contains(ObjectIdentifier(queue)) {
            guard lock.withLock({ state.fileQueues.contains { $0 === queue } }) else { continue }
            await retire(queue, logger: logger)
        }
    }

    /// Replaces each output whose settings differ between `old` and `new` (file path, rotation, mode, group; the
    /// socket; Kafka; MQTT): the old one takes no more lines, is drained and closed, then the new one opens and
    /// takes the lines queued meanwhile. Returns the keys of the outputs reopened. A file or socket that cannot be
    /// opened is logged; its lines wait in the new queue (files retry).
    func reconfigure(from old: DaemonConfiguration, to new: DaemonConfiguration, slots: [Int: String], logger: Logger) async -> [String] {
        var reopened: [String] = []
        if old.output.file != new.output.file {
            reopened.append("output.file")
            await replaceFiles(new: new, slots: slots, logger: logger)
        }
        if old.output.socket != new.output.socket {
            reopened.append("output.socket")
            await replacePublisher(new: new, logger: logger)
        }
        if old.output.kafka != new.output.kafka || old.output.mqtt != new.output.mqtt {
            reopened.append("output.kafka/output.mqtt")
            await replaceBrokers(new: new, logger: logger)
        }
        return reopened
    }

    /// The queue of the open file output at `path`.
    private func fileQueue(path: String) -> OutputQueue? {
        lock.withLock { state.files.firstIndex { $0.configuration.path == path }.map { state.fileQueues[$0] } }
    }

    /// Opens a file output and starts its queue.
    private func openFile(_ configuration: FileSinkConfiguration, logger: Logger) async throws -> OutputQueue {
        let sink = try JSONLinesFileSink(configuration: configuration, logger: logger)
        do {
            try await sink.open()
        } catch {
            throw StartupError(key: "output.file.path", message: "cannot open the output file: \(error)")
        }
        let queue = OutputQueue(name: "file:\(configuration.path)", sink: sink, logger: logger)
        lock.withLock {
            state.files.append(sink)
            state.fileQueues.append(queue)
        }
        start(queue)
        return queue
    }

    /// The sink behind `queue`.
    private func sink(of queue: OutputQueue) -> (any Sink)? {
        lock.withLock {
            if let i = state.fileQueues.firstIndex(where: { $0 === queue }) { return state.files[i] }
            if state.publisherQueue === queue { return state.publisher }
            if let i = state.brokerQueues.firstIndex(where: { $0 === queue }) { return state.brokers[i].sink }
            return nil
        }
    }

    /// Takes `queue` out of use: no more lines, drained into its output, the output closed, forgotten.
    private func retire(_ queue: OutputQueue, logger: Logger) async {
        routing.replace(queue, with: nil)
        queue.finish()
        // Forgotten first, so that a ``run()`` starting meanwhile never starts a second drain of it.
        let sink = sink(of: queue)
        let task = lock.withLock {
            if let i = state.fileQueues.firstIndex(where: { $0 === queue }) {
                state.fileQueues.remove(at: i)
                state.files.remove(at: i)
            }
            if state.publisherQueue === queue {
                state.publisherQueue = nil
                state.publisher = nil
            }
            if let i = state.brokerQueues.firstIndex(where: { $0 === queue }) {
                state.brokerQueues.remove(at: i)
                state.brokers.remove(at: i)
            }
            return state.tasks[ObjectIdentifier(queue)]
        }
        if let task {
            await task.value
        } else {
            await queue.run()  // never started (``run()`` was not running yet): drain it here, it is finished
        }
        lock.withLock { state.tasks[ObjectIdentifier(queue)] = nil }
        await sink?.close()
        logger.info("output closed", metadata: ["output": "\(queue.name)"])
    }

    /// Replaces every file by the files of `new` for the live slots (`slots`: slot → stream name). The new queues
    /// take the slots' lines at once but start writing only once the old files are drained and closed, so no line is
    /// lost and a file reopened at the same path keeps its lines in order.
    private func replaceFiles(new: DaemonConfiguration, slots: [Int: String], logger: Logger) async {
        let oldQueues = fileQueues
        var opened: [(sink: JSONLinesFileSink, queue: OutputQueue)] = []
        if let file = new.output.file {
            for (slot, name) in slots.sorted(by: { $0.key < $1.key }) {
                let path = file.perStream ? (file.path as NSString).appendingPathComponent("\(name).jsonl") : file.path
                var queue = opened.first { $0.sink.configuration.path == path }?.queue
                if queue == nil, let output = new.fileOutputs.first(where: { $0.configuration.path == path }) {
                    do {
                        let sink = try JSONLinesFileSink(configuration: output.configuration, logger: logger)
                        let q = OutputQueue(name: "file:\(path)", sink: sink, logger: logger)
                        opened.append((sink, q))
                        queue = q
                    } catch {
                        logger.error("reload: output.file: \(error)", metadata: ["stream": "\(name)"])
                    }
                }
                let others = routing.queues(slot: slot).filter { q in !oldQueues.contains { $0 === q } }
                routing.set(slot: slot, (queue.map { [$0] } ?? []) + others)
            }
        }
        for queue in oldQueues { await retire(queue, logger: logger) }
        for (sink, queue) in opened {
            do {
                try await sink.open()
            } catch {
                logger.error("reload: output.file.path: cannot open the output file: \(error)")
            }
            lock.withLock {
                state.files.append(sink)
                state.fileQueues.append(queue)
            }
            start(queue)
        }
    }

    /// Closes the socket (subscribers told) and serves the one `new` configures.
    private func replacePublisher(new: DaemonConfiguration, logger: Logger) async {
        if let old = lock.withLock({ state.publisherQueue }) { await retire(old, logger: logger) }
        guard let configuration = new.publisherConfiguration else { return }
        do {
            let publisher = try await UnixSocketPublisher.bind(configuration: configuration, logger: logger)
            let queue = OutputQueue(name: "socket:\(configuration.path)", sink: publisher, logger: logger)
            lock.withLock {
                state.publisher = publisher
                state.publisherQueue = queue
            }
            start(queue)
            routing.add(queue, to: Array(routing.all.indices).filter { !routing.queues(slot: $0).isEmpty })
        } catch {
            logger.error("reload: output.socket.path: cannot serve the socket: \(error)")
        }
    }

    /// Closes the broker outputs and connects the ones `new` configures.
    private func replaceBrokers(new: DaemonConfiguration, logger: Logger) async {
        for queue in lock.withLock({ state.brokerQueues }) { await retire(queue, logger: logger) }
        lock.withLock { state.brokers = [] }
        do {
            let brokers = try await Self.openBrokers(configuration: new, logger: logger)
            for broker in brokers {
                let queue = OutputQueue(name: broker.name, sink: broker.sink, logger: logger)
                lock.withLock {
                    state.brokers.append(broker)
                    state.brokerQueues.append(queue)
                }
                start(queue)
                routing.add(queue, to: Array(routing.all.indices).filter { !routing.queues(slot: $0).isEmpty })
            }
        } catch {
            logger.error("reload: cannot open the broker outputs: \(error)")
        }
    }
}
