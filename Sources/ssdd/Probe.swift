import ArgumentParser
import Foundation
import MediaIO

/// `ssdd probe INPUT...`: one JSON object per input describing its video stream.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print container, codec, size, frame rate, duration and frame count of each input as one JSON line.",
        discussion: """
            Local files are decoded to count frames exactly and to find truncation or corruption; live inputs \
            (rtsp://, udp://, /dev/video*) report what the stream header says. Exit status: 0 when every input \
            was read cleanly, 1 when any input could not be opened or had errors.
            """)

    @Argument(help: "Video files, image files, URLs or /dev/video* devices.")
    var inputs: [String]

    @Flag(name: .customLong("no-decode"), help: "Trust the container's frame count instead of decoding files.")
    var noDecode = false

    @Option(help: "Seconds a single open or read may block (FIFOs, pipes, network and device inputs); 0 < S <= 86400.")
    var timeout: Double = 10

    func validate() throws {
        if let problem = VideoReaderOptions.timeoutProblem(timeout) { throw ValidationError("--timeout \(problem)") }
    }

    func run() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var failed = false
        for input in inputs {
            do {
                let decode = !noDecode && !VideoReader.isLiveInput(input)
                let probe = try MediaProbe.probe(input, decode: decode, timeout: timeout)
                let line = try encoder.encode(probe)
                Console.writeLine(String(decoding: line, as: UTF8.self))
                if !probe.errors.isEmpty {
                    failed = true
                    for error in probe.errors { Console.error("\(input): \(error)") }
                }
            } catch {
                failed = true
                Console.error("\(error)")
            }
        }
        if failed { throw ExitCode.failure }
    }
}
