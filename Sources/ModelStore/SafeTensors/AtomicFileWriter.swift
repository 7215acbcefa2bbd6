import Foundation

/// Replaces a file atomically: the bytes go to a temporary file beside it (same directory, so the same file system),
/// are flushed to disk, and the temporary file is renamed over the target. Readers see the old file or the new one,
/// never a partial one, and a failure leaves the target untouched and no temporary file behind.
///
/// (Foundation's `Data.write(options: .atomic)` on Linux stages the bytes in a `/tmp/TemporaryDirectory.*` directory
/// that it never removes, one per write.)
enum AtomicFileWriter {
    /// Writes `data` to `path`. Throws a POSIX error message naming the failing step.
    static func write(_ data: Data, to path: String) throws {
        let temporary = path + ".partial-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create \(temporary)") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            try data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw failure("write")
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw failure("fsync") }
            closed = true
            guard close(fd) == 0 else { throw failure("close") }
            guard rename(temporary, path) == 0 else { throw failure("rename to \(path)") }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// A failed step and the system's reason.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private static func failure(_ step: String) -> Failure {
        Failure(description: "\(step): \(String(cString: strerror(errno)))")
    }
}
