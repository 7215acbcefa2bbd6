#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small helpers over POSIX calls used by the file sink and the socket file handling. Every call reports
/// failure as `SinksError.systemCall` naming the call and path; EINTR is retried here (and in `DescriptorWrite`'s write loop).
enum SystemError {
    /// The C library's text for `errno`.
    static func describe(_ errno: Int32) -> String {
        guard let text = strerror(errno) else { return "unknown error" }
        return String(cString: text)
    }

    /// Runs `body` until it does not fail with EINTR; returns its result or throws naming `call` and `path`.
    @discardableResult
    static func retryingInterrupts<T: BinaryInteger>(_ call: String, path: String, _ body: () -> T) throws(SinksError) -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let error = errno
            if error == EINTR { continue }
            throw .systemCall(call, path: path, errno: error)
        }
    }

    /// `close(2)`; errors are ignored because the descriptor is gone either way (see close(2) on EINTR).
    static func closeDescriptor(_ fd: CInt) {
        _ = close(fd)
    }

    /// `fstat(2)`.
    static func fileStatus(_ fd: CInt, path: String) throws(SinksError) -> stat {
        var status = stat()
        try retryingInterrupts("fstat", path: path) { fstat(fd, &status) }
        return status
    }

    /// `fsync(2)` of the directory holding `path`, so renames and creations in it are durable.
    static func syncDirectory(of path: String) throws(SinksError) {
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let fd = try retryingInterrupts("open", path: directory) { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { closeDescriptor(fd) }
        try retryingInterrupts("fsync", path: directory) { fsync(fd) }
    }
}
