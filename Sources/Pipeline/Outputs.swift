import Foundation
import Logging
import Sinks

/// The daemon's outputs: JSON Lines files (shared, or one per stream), the Unix-socket publisher and the message
/// brokers (MQTT, Kafka), each behind its own bounded ``OutputQueue`` so that one blocked or failing output never
/// delays another.
///
/// A reload changes them at run time (``Outputs+Reload.swift``): per-stream files open for added streams and close
/// for removed ones, and an output whose settings changed is replaced by a new one (the old one drained and closed
/// first). Which queues each stream slot writes to is ``routing``, shared with the delivery stage.
final class Outputs: @unchecked Sendable {
    // Unchecked: `state` is guarded by `lock`.
    struct State {
        var files: [JSONLinesFileSink]
        var fileQueues: [OutputQueue]
        var publisher: UnixSocketPublisher?
        var publisherQueue: OutputQueue?
        var brokers: [BrokerOutput]
        var brokerQueues: [OutputQueue]
        /// Each queue's drain task once ``run()`` started it (queues added later start at once).
        var tasks: [ObjectIdentifier: Task<Void, Never>] = [:]
        var running = false
        var finishing = false
        /// Queues and sinks of other outputs that take every stream's lines (tests; an API feed), run and closed with the
        /// others and routed to streams a reload adds.
        var otherQueues: [OutputQueue] = []
        var otherSinks: [any Sink] = []

        var allQueues: [OutputQueue] { fileQueues + (publisherQueue.map { [$0] } ?? []) + brokerQueues + otherQueues }
    }

    let lock = NSLock()
    var state: State
    /// Queues each stream slot writes to, by slot.
    let routing: OutputRouting

    init(state: State, perStream: [[OutputQueue]]) {
        self.state = state
        routing = OutputRouting(perStream)
    }

    /// Outputs already opened: `queues` lists the file queues first (`fileQueues`), then any others; `sinks` the
    /// files first, then the others' sinks in the order they are closed.
    convenience init(
        files: [JSONLinesFileSink], publisher: UnixSocketPublisher?, brokers: [BrokerOutput], queues: [OutputQueue],
        fileQueues: [OutputQueue], perStream: [[OutputQueue]], sinks: [any Sink]
    ) {
        var state = State(files: files, fileQueues: fileQueues, publisher: publisher, publisherQueue: nil, brokers: brokers, brokerQueues: [])
        state.otherQueues = queues.filter { q in !fileQueues.contains { $0 === q } }
        state.otherSinks = Array(sinks.dropFirst(files.count))
        self.init(state: state, perStream: perStream)
    }

    var files: [JSONLinesFileSink] { lock.withLock { state.files } }
    var publisher: UnixSocketPublisher? { lock.withLock { state.publisher } }
    var brokers: [BrokerOutput] { lock.withLock { state.brokers } }
    /// Every output's queue (files first, then the socket, then the brokers).
    var queues: [OutputQueue] { lock.withLock { state.allQueues } }
    /// The queues of the file outputs: what makes a line durable, hence the resume points.
    var fileQueues: [OutputQueue] { lock.withLock { state.fileQueues } }
    /// Each file output with its queue, read together (a reload may change them).
    var fileOutputsWithQueues: [(sink: JSONLinesFileSink, queue: OutputQueue)] {
        lock.withLock { Array(zip(state.files, state.fileQueues)).map { (sink: $0.0, queue: $0.1) } }
    }
    /// Queues each stream writes to, by stream slot.
    var perStream: [[OutputQueue]] { routing.all }
    /// Every output's sink, in the order they are closed (files first, then the socket, then the brokers).
    var sinks: [any Sink] {
        lock.withLock {
            var sinks: [any Sink] = state.files
            if let publisher = state.publisher, state.publisherQueue != nil { sinks.append(publisher) }
            for broker in state.brokers where !state.brokerQueues.isEmpty { sinks.append(broker.sink) }
            return sinks + state.otherSinks
        }
    }

    /// Opens every output now. A file that cannot be opened (missing directory, a directory or FIFO at the path, no
    /// permission) or a socket that cannot be bound fails the start with an error naming the configuration key.
    /// `feeds` are further outputs that receive every stream's lines, each behind its own queue (the HTTP API's state
    /// and its WebSocket feed); they are closed after the others.
    static func open(configuration: DaemonConfiguration, feeds: [NamedSink] = [], logger: Logger) async throws -> Outputs {
        var files: [JSONLinesFileSink] = []
        var fileQueues: [OutputQueue] = []
        var perStream: [[OutputQueue]] = Array(repeating: [], count: configuration.streams.count)
        do {
            for output in configuration.fileOutputs {
                let sink = try JSONLinesFileSink(configuration: output.configuration, logger: logger)
                files.append(sink)
                do {
                    try await sink.open()
                } catch {
                    throw StartupError(key: "output.file.path", message: "cannot open the output file: \(error)")
                }
                let queue = OutputQueue(name: "file:\(output.configuration.path)", sink: sink, logger: logger)
                fileQueues.append(queue)
                for stream in output.streams { perStream[stream].append(queue) }
            }
            var publisher: UnixSocketPublisher?
            var queues = fileQueues
            if let socket = configuration.publisherConfiguration {
                let p: UnixSocketPublisher
                do {
                    p = try await UnixSocketPublisher.bind(configuration: socket, logger: logger)
                } catch {
                    throw StartupError(key: "output.socket.path", message: "cannot serve the socket: \(error)")
                }
                publisher = p
                let queue = OutputQueue(name: "socket:\(socket.path)", sink: p, logger: logger)
                queues.append(queue)
                for i in perStream.indices { perStream[i].append(queue) }
            }
            let brokers: [BrokerOutput]
            do {
                brokers = try await openBrokers(configuration: configuration, logger: logger)
            } catch {
                await publisher?.close()
                throw error
            }
            for broker in brokers {
                let queue = OutputQueue(name: broker.name, sink: broker.sink, logger: logger)
                queues.append(queue)
                for i in perStream.indices { perStream[i].append(queue) }
            }
            var state = State(
                files: files, fileQueues: fileQueues, publisher: publisher, publisherQueue: publisher == nil ? nil : queues[fileQueues.count],
                brokers: brokers, brokerQueues: Array(queues.suffix(brokers.count)))
            for feed in feeds {
                let queue = OutputQueue(name: feed.name, sink: feed.sink, logger: logger)
                state.otherQueues.append(queue)
                state.otherSinks.append(feed.sink)
                for i in perStream.indices { perStream[i].append(queue) }
            }
            return Outputs(state: state, perStream: perStream)
        } catch {
            for file in files { await file.close() }
            throw error
        }
    }

    /// Drains every queue into its output until ``drain(_:within:logger:)`` finishes them; returns when all are
    /// drained (queues a reload adds meanwhile included).
    func run() async {
        lock.withLock {
            state.running = true
            for queue in state.allQueues {
                state.tasks[ObjectIdentifier(queue)] = Task { await queue.run() }
            }
        }
        while let task = lock.withLock({ state.tasks.values.first }) {
            await task.value
            lock.withLock { state.tasks = state.tasks.filter { $0.value != task } }
        }
    }

    /// Starts draining `queue` (added at run time) if ``run()`` is running; otherwise ``run()`` starts it.
    func start(_ queue: OutputQueue) {
        lock.withLock {
            guard state.running, !state.finishing else { return }
            state.tasks[ObjectIdentifier(queue)] = Task { await queue.run() }
        }
    }

    /// Stops accepting lines and waits at most `seconds` for the queues to empty into their outputs.
    func drain(_ drains: Task<Void, Never>, within seconds: Double, logger: Logger) async {
        lock.withLock { state.finishing = true }
        for queue in queues { queue.finish() }
        let drained = await Self.waiting(seconds: seconds) { await drains.value }
        if !drained {
            for queue in queues where queue.statistics.queued > 0 {
                logger.error(
                    "output still blocked at shutdown; its queued lines are lost",
                    metadata: ["output": "\(queue.name)", "lines": "\(queue.statistics.queued)"])
            }
        }
    }

    /// Closes every output (files flushed and fsynced, subscribers told), waiting at most `seconds`.
    func close(within seconds: Double, logger: Logger) async {
        let sinks = self.sinks
        let closed = await Self.waiting(seconds: seconds) {
            for sink in sinks { await sink.close() }
        }
        if !closed { logger.error("an output did not close in time; exiting anyway") }
    }

    /// Reopens the output files (SIGUSR1 or SIGHUP, after logrotate renamed them).
    func reopen() async {
        guard !lock.withLock({ state.finishing }) else { return }  // draining for shutdown: nothing to reopen
        for file in files { await file.reopen() }
    }

    /// Runs `work` and returns true if it finished within `seconds` (it keeps running detached otherwise).
    private static func waiting(seconds: Double, _ work: @escaping @Sendable () async -> Void) async -> Bool {
        let task = Task { await work() }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await task.value
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}

/// An output with the name its queue carries in logs and metrics (`api`, `websocket`).
struct NamedSink: Sendable {
    let name: String
    let sink: any Sink
}

/// A start-up failure tied to a configuration key.
struct StartupError: Error, CustomStringConvertible {
    let key: String
    let message: String
    var description: String { "\(key): \(message)" }
}
