import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The two glibc malloc controls the daemon uses, looked up with `dlsym` (the Glibc module does not import
/// `<malloc.h>`); elsewhere they do nothing.
///
/// glibc gives each thread that allocates its own arena (up to 8 per core) and keeps the free holes inside its heaps
/// mapped. The daemon's threads (one per stream, its workers, the event loops) allocate frames, FFmpeg contexts on every
/// reconnect and lines, so in `tools/soak.sh` (4 live streams whose servers are killed at random) its RSS crept up by
/// 10–14 MB a minute over a live heap that stayed flat (heaptrack: 455 KB left at exit).
/// - Arenas: `MALLOC_ARENA_MAX=2` in the environment (the systemd units set it) kept the RSS flat over the same run on
///   a Zen 1; `SSDD.main` sets the same cap as the process's first statement for `ssdd run` started without the units.
///   Set later, from the command's `run()`, the threads started by then kept arenas of their own and the creep only
///   halved (glibc counts arenas as they are created; the cap only stops new ones).
/// - Holes: with the arenas capped, a 2-vCPU Intel Xeon still rose 152 → 259 MB in 10 minutes while the memory in use
///   stayed flat (`malloc_stats`: 77 → 71 MB in use, 149 → 183 MB held); one `malloc_trim(0)` took the RSS from 259 to
///   160 MB, so ``MemoryTrimService`` calls ``trim()`` once a minute.
public enum GlibcMalloc {
    /// Arenas the daemon allows, unless `MALLOC_ARENA_MAX` in the environment says otherwise (glibc reads it itself).
    static let daemonArenaLimit: Int32 = 2

    /// `M_ARENA_MAX` of glibc's `<malloc.h>`.
    private static let arenaMaxParameter: Int32 = -8

    /// Caps glibc's arenas at ``daemonArenaLimit``; call before the process starts any thread.
    public static func limitArenasForDaemon() {
        #if canImport(Glibc)
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil,
            let symbol = dlsym(nil, "mallopt")
        else { return }
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        _ = unsafeBitCast(symbol, to: MallOpt.self)(arenaMaxParameter, daemonArenaLimit)
        #endif
    }

    /// `malloc_trim(0)`: gives the free pages inside every arena back to the system (not only the top of the heap), under
    /// each arena's lock (17.9 ms for 252 MB of holes, 0.3 ms when none are left); returns whether it released any.
    @discardableResult
    public static func trim() -> Bool {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "malloc_trim") else { return false }
        typealias MallocTrim = @convention(c) (Int) -> Int32
        return unsafeBitCast(symbol, to: MallocTrim.self)(0) != 0
        #else
        return false
        #endif
    }
}
