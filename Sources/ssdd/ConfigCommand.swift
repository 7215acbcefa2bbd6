import ArgumentParser
import Foundation
import Pipeline

/// `ssdd config check FILE… [--fleet-prefix PREFIX]`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with daemon configuration files.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate configuration files and what they name (models, output paths); errors name the key.",
            discussion: """
                Several files are checked as one fleet (daemons sharing a Kafka topic): no stream name may appear in two \
                of them. With --fleet-prefix every stream name must also start with PREFIX, e.g. "$(hostname -s)-".
                """)

        @Argument(help: "The TOML files (several: the daemons of one fleet).")
        var files: [String]

        @Option(help: "Every stream name must start with this prefix (unique stream names across the fleet).")
        var fleetPrefix: String?

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("name at least one configuration file") }
        }

        func run() throws {
            var members: [(file: String, configuration: DaemonConfiguration)] = []
            for file in files {
                let c = try DaemonConfiguration.load(path: file)
                try c.checkEnvironment(file: file)
                members.append((file, c))
            }
            try DaemonConfiguration.checkFleet(members, prefix: fleetPrefix)
            for (file, c) in members {
                Console.writeLine(
                    "\(file): ok — \(c.streams.count) stream(s): \(c.streams.map { "\($0.name) (\($0.live ? "live" : "file"))" }.joined(separator: ", ")); \(c.workers.count) worker(s) × \(c.workers.threads) thread(s); model \(c.modelPath)"
                )
            }
            if members.count > 1 || fleetPrefix != nil {
                let streams = members.map(\.configuration.streams.count).reduce(0, +)
                let prefix = fleetPrefix.map { ", every one starting with '\($0)'" } ?? ""
                Console.writeLine("fleet: ok — \(streams) stream name(s) in \(members.count) file(s), all distinct\(prefix)")
            }
        }
    }
}
