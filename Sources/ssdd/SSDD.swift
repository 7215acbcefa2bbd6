import ArgumentParser
import Pipeline

/// The `ssdd` command line: each subcommand is a thin file that parses arguments and calls into the modules.
@main
struct SSDD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssdd",
        abstract: "Single-shot detection daemon: decode video, detect objects with SSD, write JSON Lines.",
        version: BuildInfo.version,
        subcommands: [
            RunCommand.self, DetectCommand.self, AnnotateCommand.self, SubscribeCommand.self, Probe.self, ModelCommand.self, BenchCommand.self,
            ConfigCommand.self, TrainCommand.self, EvalCommand.self, DatasetCommand.self,
        ])

    /// The process's entry point: for `ssdd run`, caps glibc's malloc arenas (`GlibcMalloc`) before anything else,
    /// while the main thread is the only one that has allocated; then parses and runs the command as usual.
    static func main() async {
        if CommandLine.arguments.dropFirst().first == RunCommand.configuration.commandName {
            GlibcMalloc.limitArenasForDaemon()
        }
        await main(nil)
    }
}
