import Foundation
import Sinks

/// Writes whole lines to stdout/stderr with `Sinks.DescriptorWrite` (the one partial-write loop), so lines never
/// split; a failure to write to the console is ignored (there is nowhere left to report it).
enum Console {
    static func writeLine(_ text: String) { write(text + "\n", to: STDOUT_FILENO) }

    /// An error line on stderr, prefixed with the program name.
    static func error(_ text: String) { write("ssdd: error: " + text + "\n", to: STDERR_FILENO) }

    static func write(_ text: String, to descriptor: Int32) {
        _ = DescriptorWrite.all(Array(text.utf8), to: descriptor)
    }
}
