import Foundation
import Logging
import Sinks

/// The daemon's outputs: JSON Lines files (shared, or one per stream), the Unix-socket publisher and the message
/// brokers (MQTT, Kafka), each behind its own bounded ``OutputQueue`` so that one blocked or failing output never
/// delays another.
struct Outputs: Sendable {
    let files: [JSONLinesFileSink]
    let publisher: UnixSocketPublisher?
    let brokers: [BrokerOutput]
    /// Every output's queue (files first, then the socket, then the brokers).
    let queues: [OutputQueue]
    /// The queues of the file outputs: what makes a line durable, hence the resume points.
    let fileQueues: [OutputQueue]
    /// Queues each stream writes to, by stream index.
    let perStream: [[OutputQueue]]
    /// Every output's sink, in the order they are closed (files first, then the socket, then the brokers).
    let sinks: [any Sink]

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
            for feed in feeds {
                let queue = OutputQueue(name: feed.name, sink: feed.sink, logger: logger)
                queues.append(queue)
                for i in perStream.indices { perStream[i].append(queue) }
            }
            var sinks: [any Sink] = files
            if let publisher { sinks.append(publisher) }
            for broker in brokers { sinks.append(broker.sink) }
            sinks += feeds.map(\.sink)
            return Outputs(
                files: files, publisher: publisher, brokers: brokers, queues: queues, fileQueues: fileQueues,
                perStream: perStream, sinks: sinks)
        } catch {
            for file in files { await file.close() }
            throw error
        }
    }

    /// Drains every queue into its output until ``drain(_:within:logger:)`` finishes them; returns when all are drained.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for queue in queues { group.addTask { await queue.run() } }
        }
    }

    /// Stops accepting lines and waits at most `seconds` for the queues to empty into their outputs.
    func drain(_ drains: Task<Void, Never>, within seconds: Double, logger: Logger) async {
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
        let closed = await Self.waiting(seconds: seconds) {
            for sink in sinks { await sink.close() }
        }
        if !closed { logger.error("an output did not close in time; exiting anyway") }
    }

    /// Reopens the output files (SIGHUP, after logrotate renamed them).
    func reopen() async {
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
