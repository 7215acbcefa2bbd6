#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening a JSON Lines output file: append-only, regular files only, created with exactly the configured mode and
/// group whatever the umask.
public enum OutputFile {
    /// Opens (creating if needed) the file at `configuration.path` for appending.
    ///
    /// The open never blocks: it is non-blocking until the descriptor is known to be a regular file, so a FIFO at the
    /// path (which would wait for a reader) is refused with ``SinksError/notARegularFile(path:kind:)`` like a
    /// directory, socket or device.
    static func open(_ configuration: FileSinkConfiguration) throws(SinksError) -> CInt {
        let path = configuration.path
        let flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK
        var created = true
        var fd: CInt
        repeat { fd = Glibc.open(path, flags | O_CREAT | O_EXCL, mode_t(configuration.fileMode)) } while fd < 0 && errno == EINTR
        if fd < 0 && errno == EEXIST {
            created = false
            repeat { fd = Glibc.open(path, flags) } while fd < 0 && errno == EINTR
        }
        if fd < 0 {
            let error = errno
            if error == EISDIR { throw .notARegularFile(path: path, kind: "directory") }
            // A FIFO without a reader (O_NONBLOCK write-only open) or a device without its driver.
            if error == ENXIO { throw .notARegularFile(path: path, kind: "FIFO or device") }
            throw .systemCall("open", path: path, errno: error)
        }
        do throws(SinksError) {
            let status = try SystemError.fileStatus(fd, path: path)
            guard status.st_mode & S_IFMT == S_IFREG else { throw SinksError.notARegularFile(path: path, kind: kind(of: status.st_mode)) }
            let flags = fcntl(fd, F_GETFL)
            if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
            if created {
                if let group = configuration.group {
                    let gid = try SocketFile.resolveGroup(group)
                    try SystemError.retryingInterrupts("fchown", path: path) { fchown(fd, uid_t.max, gid) }
                }
                // The umask may have removed bits; set exactly what was configured (after chown, which can clear some).
                try SystemError.retryingInterrupts("fchmod", path: path) { fchmod(fd, mode_t(configuration.fileMode)) }
            }
            return fd
        } catch {
            SystemError.closeDescriptor(fd)
            if created { _ = unlink(path) }
            throw error
        }
    }

    /// What a non-regular file is, for messages ("directory", "FIFO", …); the configuration check uses it too.
    public static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "directory"
        case S_IFIFO: "FIFO"
        case S_IFSOCK: "socket"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        default: "special file"
        }
    }
}
