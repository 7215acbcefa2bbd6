#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the kernel reports about this process in `/proc/self/stat` (Linux), for the standard `process_*` metrics.
///
/// Parsed defensively: a field that is missing, not a number, negative or too large is `nil`, never a trap; the
/// command name (field 2) may hold spaces and parentheses, so fields are counted after its last `)`. Other platforms
/// have every field `nil`.
struct ProcessStatistics: Sendable, Equatable {
    /// Resident set size in bytes (field 24, pages, times the page size).
    var residentMemoryBytes: Int?
    /// Virtual memory size in bytes (field 23).
    var virtualMemoryBytes: Int?
    /// User plus system CPU time in seconds (fields 14 and 15, clock ticks).
    var cpuSeconds: Double?
    /// Start time since the Unix epoch in seconds (field 22, clock ticks after boot, plus the boot time); `nil`
    /// without a boot time.
    var startTimeSeconds: Double?

    /// Reads `/proc/self/stat` now; `bootTime` is ``bootTime()``, read once by the caller since it never changes.
    static func current(bootTime: Int?) -> ProcessStatistics {
        #if os(Linux)
        guard let stat = ProcFile.contents(of: "/proc/self/stat", limit: 4096) else { return ProcessStatistics() }
        return parse(stat: stat, bootTime: bootTime, clockTicksPerSecond: sysconf(Int32(_SC_CLK_TCK)), pageSize: sysconf(Int32(_SC_PAGESIZE)))
        #else
        return ProcessStatistics()
        #endif
    }

    /// The system's boot time since the Unix epoch in seconds (`btime` in `/proc/stat`), or `nil`.
    static func bootTime() -> Int? {
        #if os(Linux)
        // /proc/stat lists every CPU and interrupt before `btime`: large on big machines, hence the generous cap.
        ProcFile.contents(of: "/proc/stat", limit: 4 << 20).flatMap(parseBootTime(procStat:))
        #else
        nil
        #endif
    }

    /// The `btime` value of `/proc/stat` text, or `nil` when absent or not a plausible time.
    static func parseBootTime(procStat: String) -> Int? {
        for line in procStat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Int(line.dropFirst(6).trimmingSpaces()).flatMap { $0 >= 0 ? $0 : nil }
        }
        return nil
    }

    /// The statistics in `/proc/self/stat` text; fields that are absent or not valid are `nil`.
    static func parse(stat: String, bootTime: Int?, clockTicksPerSecond: Int, pageSize: Int) -> ProcessStatistics {
        var result = ProcessStatistics()
        guard let close = stat.lastIndex(of: ")") else { return result }
        // fields[0] is field 3 (state) of proc_pid_stat(5).
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        func field(_ number: Int) -> Int? {
            let index = number - 3
            guard index < fields.count, let value = Int(fields[index].trimmingSpaces()), value >= 0 else { return nil }
            return value
        }
        let ticks = clockTicksPerSecond > 0 ? Double(clockTicksPerSecond) : nil
        if let ticks, let user = field(14), let system = field(15) {
            let (total, overflow) = user.addingReportingOverflow(system)
            if !overflow { result.cpuSeconds = Double(total) / ticks }
        }
        if let ticks, let bootTime, let start = field(22) {
            result.startTimeSeconds = Double(bootTime) + Double(start) / ticks
        }
        result.virtualMemoryBytes = field(23)
        if pageSize > 0, let pages = field(24) {
            let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageSize)
            if !overflow { result.residentMemoryBytes = bytes }
        }
        return result
    }
}

extension Substring {
    /// Without leading and trailing spaces and newlines.
    fileprivate func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
