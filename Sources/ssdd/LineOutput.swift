import Foundation

/// Where JSON lines go: stdout or a file, each line written with a single `write(2)`.
final class LineOutput {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    let path: String

    init(path: String) throws {
        self.path = path
        if path == "-" {
            descriptor = STDOUT_FILENO
            ownsDescriptor = false
        } else {
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw CLIError("\(path): cannot open for writing: \(String(cString: strerror(errno)))") }
            ownsDescriptor = true
        }
    }

    func write(_ line: String) throws {
        var bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIError("\(path == "-" ? "stdout" : path): write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        bytes.removeAll()
    }

    func close() throws {
        guard ownsDescriptor else { return }
        if fsync(descriptor) != 0 || Foundation.close(descriptor) != 0 {
            throw CLIError("\(path): closing failed: \(String(cString: strerror(errno)))")
        }
    }
}
