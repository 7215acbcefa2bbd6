#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's file descriptors: how many are open and how many may be (`RLIMIT_NOFILE`).
///
/// Listeners use this to keep a reserve of descriptors for the pipeline (files, streams, rotation, SIGHUP reopen):
/// they refuse new connections once `count` comes within the reserve of `softLimit`.
public enum OpenDescriptors {
    /// Number of descriptors open in this process, counted in `/proc/self/fd` (Linux) or `/dev/fd`; `nil` when
    /// the directory cannot be read (e.g. no descriptor left to open it).
    public static func count() -> Int? {
        #if os(Linux)
        let directoryPath = "/proc/self/fd"
        #else
        let directoryPath = "/dev/fd"
        #endif
        guard let directory = opendir(directoryPath) else { return nil }
        defer { closedir(directory) }
        var entries = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if !isDot { entries += 1 }
        }
        // The directory stream itself holds one descriptor while it is being read.
        return max(0, entries - 1)
    }

    /// The soft limit on open descriptors (`RLIMIT_NOFILE`), or `nil` when it is unlimited or unknown.
    public static func softLimit() -> Int? {
        limits().flatMap { Self.finite($0.rlim_cur) }
    }

    /// The hard limit on open descriptors (`RLIMIT_NOFILE`), or `nil` when it is unlimited or unknown.
    public static func hardLimit() -> Int? {
        limits().flatMap { Self.finite($0.rlim_max) }
    }

    /// Raises the soft limit on open descriptors to the hard limit (systemd's default soft limit is 1024 while the
    /// hard limit is usually 524288). Call once at start-up, before any thread opens many files.
    /// - Returns: the soft limit before and after.
    /// - Throws: `SinksError.systemCall("setrlimit", …)` when the kernel refuses.
    @discardableResult
    public static func raiseSoftLimitToHardLimit() throws(SinksError) -> (previous: Int?, current: Int?) {
        guard var limit = limits() else { throw .systemCall("getrlimit", path: "RLIMIT_NOFILE", errno: errno) }
        let previous = finite(limit.rlim_cur)
        guard limit.rlim_cur != limit.rlim_max else { return (previous, previous) }
        #if canImport(Darwin)
        // macOS refuses RLIM_INFINITY for descriptors; OPEN_MAX is its documented ceiling.
        if limit.rlim_max == unlimited { limit.rlim_max = rlim_t(OPEN_MAX) }
        #endif
        limit.rlim_cur = limit.rlim_max
        #if canImport(Glibc)
        let result = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #else
        let result = setrlimit(RLIMIT_NOFILE, &limit)
        #endif
        guard result == 0 else { throw .systemCall("setrlimit", path: "RLIMIT_NOFILE", errno: errno) }
        return (previous, finite(limit.rlim_cur))
    }

    private static func limits() -> rlimit? {
        var limit = rlimit()
        #if canImport(Glibc)
        let result = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #else
        let result = getrlimit(RLIMIT_NOFILE, &limit)
        #endif
        return result == 0 ? limit : nil
    }

    private static func finite(_ value: rlim_t) -> Int? {
        value == unlimited || value > rlim_t(Int.max) ? nil : Int(value)
    }

    /// `RLIM_INFINITY` (Glibc's macro does not import: it is `~0UL`).
    #if canImport(Glibc)
    private static let unlimited = rlim_t.max
    #else
    private static let unlimited = RLIM_INFINITY
    #endif
}
