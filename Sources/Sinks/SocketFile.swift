#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocking-free helpers for the socket file on disk: stale-socket detection, the private directory the socket
/// is bound in before it is published, permissions, removal.
enum SocketFile {
    /// Longest socket path: `sockaddr_un.sun_path` holds 108 bytes including the terminating NUL.
    static let maxPathBytes = 107
    /// Name pattern of the private directory beside the socket (`mkdtemp(3)` fills the X's).
    static let privateDirectoryTemplate = ".ssdd-XXXXXX"
    /// Name of the socket inside the private directory.
    static let stagingName = "s"
    /// Longest directory of a socket path, so that `<directory>/.ssdd-XXXXXX/s` fits in `sun_path` too.
    static let maxDirectoryBytes = maxPathBytes - 1 - privateDirectoryTemplate.utf8.count - 1 - stagingName.utf8.count

    /// Identity of a file, to remove only the socket we created.
    struct Identity: Sendable, Hashable {
        let device: UInt64
        let inode: UInt64
    }

    /// Makes `path` free for binding: nothing there is fine; a socket nobody listens on (ECONNREFUSED, left by
    /// a crash) is removed; a socket someone accepts on is never touched.
    /// - Throws: `SinksError.socketInUse` for a live socket, `.notASocket` for any other file.
    static func clearStale(at path: String) throws(SinksError) {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT { return }
            throw .systemCall("lstat", path: path, errno: errno)
        }
        guard status.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path: path) }
        switch probe(path) {
        case ECONNREFUSED:
            guard unlink(path) == 0 || errno == ENOENT else { throw .systemCall("unlink", path: path, errno: errno) }
        case ENOENT:
            return
        default:
            throw .socketInUse(path: path)
        }
    }

    /// Tries a non-blocking connect to `path`: 0 when something accepts (or its backlog is full: EAGAIN),
    /// otherwise the errno (ECONNREFUSED: nobody listens).
    private static func probe(_ path: String) -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return errno }
        defer { SystemError.closeDescriptor(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if result == 0 { return 0 }
        let error = errno
        return error == EAGAIN || error == EINPROGRESS ? 0 : error
    }

    /// Sets the permission bits and, if given, the group of `path`.
    static func applyPermissions(path: String, mode: UInt32, group: String?) throws(SinksError) {
        if let group {
            let gid = try resolveGroup(group)
            guard chown(path, uid_t.max, gid) == 0 else { throw .systemCall("chown", path: path, errno: errno) }
        }
        guard chmod(path, mode_t(mode)) == 0 else { throw .systemCall("chmod", path: path, errno: errno) }
    }

    /// The gid of a group name or numeric id.
    static func resolveGroup(_ name: String) throws(SinksError) -> gid_t {
        if let numeric = gid_t(name) { return numeric }
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        let status = getgrnam_r(name, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil else { throw .unknownGroup(name) }
        return entry.gr_gid
    }

    /// The identity of the file at `path`, or `nil` if there is none.
    static func identity(of path: String) -> Identity? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }

    /// The directory part of `path` (`.` for a bare name, `/` for a file at the root).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Creates a fresh directory with mode 0700 beside `path` (same file system, so the socket can be renamed
    /// from it into place), e.g. `/run/ssdd/.ssdd-Ab12Cd`. Nobody else can reach a socket bound inside it, whatever
    /// the umask, so the socket can be given its final mode and group there before it becomes visible.
    /// - Returns: the directory's path.
    static func makePrivateDirectory(beside path: String) throws(SinksError) -> String {
        var template = Array((directory(of: path) + "/" + privateDirectoryTemplate).utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap(mkdtemp).map { String(cString: $0) } }
        guard let created else { throw .systemCall("mkdtemp", path: directory(of: path) + "/" + privateDirectoryTemplate, errno: errno) }
        return created
    }

    /// Removes an empty directory, ignoring errors (our own private directory, on every path out of `bind`).
    static func removeDirectory(_ path: String) {
        _ = rmdir(path)
    }

    /// Renames `from` to `to` (atomically replacing it).
    static func move(_ from: String, to: String) throws(SinksError) {
        guard rename(from, to) == 0 else { throw .systemCall("rename", path: from, errno: errno) }
    }

    /// Removes `path` if it is still the file identified by `identity`.
    static func remove(_ path: String, ifIdentity identity: Identity?) {
        guard let identity, self.identity(of: path) == identity else { return }
        _ = unlink(path)
    }

    /// Removes `path` if it exists, ignoring errors (for leftovers of our own temporary names).
    static func removeIfPresent(_ path: String) {
        _ = unlink(path)
    }
}
