import ArgumentParser
import Foundation
import Logging
import Pipeline
import UnixSignals

/// `ssdd run --config FILE`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the detection daemon described by a TOML configuration file.",
        discussion: """
            SIGTERM or SIGINT stop it gracefully: sources stop, accepted frames are written, files are fsynced, \
            subscribers are told; a second signal exits at once. SIGHUP (systemctl reload) reopens the output files \
            and reloads the configuration: added streams start, removed ones end, changed ones restart alone, \
            unchanged ones run on; an invalid file keeps the running configuration (the error names the key). \
            SIGUSR1 only reopens the output files (logrotate). With only file streams the daemon exits 0 once \
            every file is processed.
            """)

    @Option(help: "Configuration file (see Config/ssdd.toml).")
    var config: String

    func run() async throws {
        // SIGHUP and SIGUSR1 end a process by default: until the reload service listens for them (after the models
        // are compiled), a `systemctl reload` or a logrotate during start-up is ignored instead of killing the daemon.
        signal(SIGHUP, SIG_IGN)
        signal(SIGUSR1, SIG_IGN)
        let configuration = try DaemonConfiguration.load(path: config)
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ssdd")
        SecondSignal.exitImmediately()
        let daemon = Daemon(configuration: configuration, configurationFile: config, logger: logger)
        // Daemon builds the service group (sources, inference, delivery, outputs, listeners) and runs it; the first
        // SIGTERM/SIGINT shuts it down gracefully, in that order.
        try await daemon.run(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

/// Exits at once on the second SIGTERM/SIGINT, while the first drives the graceful shutdown.
enum SecondSignal {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    private static let count = Counter()

    /// Counts the signals; called once at start-up, before the service group installs its own handlers.
    static func exitImmediately() {
        for signal in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler {
                // `data` is the number of signals since the handler last ran: two quick signals can arrive as one call.
                if count.add(Int(source.data)) >= 2 {
                    Console.write("ssdd: second signal, exiting without draining\n", to: STDERR_FILENO)
                    _exit(1)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    final class Counter: @unchecked Sendable {
        // Guarded by `lock`.
        private var value = 0
        private let lock = NSLock()
        func add(_ signals: Int) -> Int {
            lock.withLock {
                value += max(signals, 1); return value
            }
        }
    }
}
