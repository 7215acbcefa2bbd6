#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks a model file before it is opened: opening a FIFO (or a symlink to one) blocks until a writer appears, and a
/// device such as /dev/zero never ends, so only regular files are read.
enum SourceFileCheck {
    /// Why a file cannot be imported.
    struct Problem: Error {
        let reason: String
    }

    /// The size of the regular file at `path` (symlinks followed); throws for anything else.
    static func regularFileSize(at path: String) throws(Problem) -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else { throw Problem(reason: String(cString: strerror(errno))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw Problem(reason: "not a regular file (a directory, FIFO, socket or device)")
        }
        return Int(status.st_size)
    }
}
