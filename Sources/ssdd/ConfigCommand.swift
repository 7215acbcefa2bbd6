import ArgumentParser
import Foundation
import Pipeline

/// `ssdd config check FILE`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with daemon configuration files.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration file and what it names (models, output paths); errors name the key.")

        @Argument(help: "The TOML file.")
        var file: String

        func run() throws {
            let c = try DaemonConfiguration.load(path: file)
            try c.checkEnvironment(file: file)
            Console.writeLine(
                "\(file): ok — \(c.streams.count) stream(s): \(c.streams.map { "\($0.name) (\($0.live ? "live" : "file"))" }.joined(separator: ", ")); \(c.workers.count) worker(s) × \(c.workers.threads) thread(s); model \(c.modelPath)"
            )
        }
    }
}
