import Foundation

/// Writes whole lines to stdout/stderr with one `write(2)` each, so lines never interleave or split.
enum Console {
    static func writeLine(_ text: String) { write(text + "\n", to: STDOUT_FILENO) }

    /// An error line on stderr, prefixed with the program name.
    static func error(_ text: String) { write("ssdd: error: " + text + "\n", to: STDERR_FILENO) }

    static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 {
                if written < 0 && errno == EINTR { continue }
                return
            }
            offset += written
        }
        bytes.removeAll()
    }
}
