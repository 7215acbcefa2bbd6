import Foundation
import Logging
import Sinks

/// The daemon's outputs: JSON Lines files (shared, or one per stream) and the Unix-socket publisher.
struct Outputs: Sendable {
    let files: [JSONLinesFileSink]
    let publisher: UnixSocketPublisher?
    /// Sinks each stream writes to, by stream index.
    let perStream: [[any Sink]]

    static func open(configuration: DaemonConfiguration, logger: Logger) async throws -> Outputs {
        var files: [JSONLinesFileSink] = []
        var perStream: [[any Sink]] = Array(repeating: [], count: configuration.streams.count)
        if let file = configuration.output.file {
            func sink(_ path: String) throws -> JSONLinesFileSink {
                try JSONLinesFileSink(
                    configuration: FileSinkConfiguration(
                        path: path, maxFileBytes: file.rotateBytes > 0 ? file.rotateBytes : nil,
                        rotationInterval: file.rotateSeconds > 0 ? .milliseconds(Int64(file.rotateSeconds * 1000)) : nil),
                    logger: logger)
            }
            if file.perStream {
                for (i, stream) in configuration.streams.enumerated() {
                    let s = try sink((file.path as NSString).appendingPathComponent("\(stream.name).jsonl"))
                    files.append(s)
                    perStream[i].append(s)
                }
            } else {
                let s = try sink(file.path)
                files.append(s)
                for i in perStream.indices { perStream[i].append(s) }
            }
        }
        var publisher: UnixSocketPublisher?
        if let socket = configuration.output.socket {
            let p = try await UnixSocketPublisher.bind(
                configuration: PublisherConfiguration(path: socket.path, mode: socket.mode, group: socket.group), logger: logger)
            publisher = p
            for i in perStream.indices { perStream[i].append(p) }
        }
        return Outputs(files: files, publisher: publisher, perStream: perStream)
    }

    /// Flushes and fsyncs the files, tells subscribers the daemon is stopping, and closes everything.
    func close() async {
        for file in files { await file.close() }
        await publisher?.close()
    }

    func reopen() async {
        for file in files { await file.reopen() }
    }

    /// Gauges for metrics: subscribers and file-sink health.
    func gauges() -> [(name: String, help: String, samples: [(labels: String, value: Double)])] {
        var result: [(name: String, help: String, samples: [(labels: String, value: Double)])] = []
        if let publisher {
            result.append(("ssdd_subscribers", "Connected Unix-socket subscribers.", [("", Double(publisher.subscriberCount))]))
            result.append(("ssdd_subscribers_disconnected_slow", "Subscribers disconnected for reading too slowly.", [("", Double(publisher.slowConsumerDisconnects))]))
        }
        for file in files {
            let s = file.statistics
            let label = "{path=\"\(file.configuration.path)\"}"
            result.append(("ssdd_file_lines_written", "Lines written to the file output.", [(label, Double(s.linesWritten))]))
            result.append(("ssdd_file_write_failures", "Failed writes to the file output (retried).", [(label, Double(s.failures))]))
            result.append(("ssdd_file_lines_pending", "Lines held for retry after failed writes.", [(label, Double(s.pendingLines))]))
            result.append(("ssdd_file_lines_dropped", "Lines dropped because the retry buffer overflowed.", [(label, Double(s.linesDropped))]))
        }
        return result
    }
}
