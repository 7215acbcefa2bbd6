import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// glibc's malloc gives each thread that allocates its own arena (up to 8 per core) and returns little of a freed
/// arena's memory to the system. The daemon's threads (one per stream, its workers, the event loops) allocate frames,
/// FFmpeg contexts on every reconnect and lines, so its RSS crept up by 10–14 MB a minute in `tools/soak.sh` (4 live
/// streams whose servers are killed at random) with a live heap that stayed flat (heaptrack: 455 KB left at exit).
/// `MALLOC_ARENA_MAX=2` in the environment (the systemd units set it) kept the RSS flat over the same run at the same
/// throughput. `SSDD.main` sets the same cap as the process's first statement for `ssdd run` started without the units:
/// set later, from the command's `run()`, the threads started by then kept arenas of their own and the creep only
/// halved (glibc counts arenas as they are created; the cap only stops new ones).
enum MallocArenas {
    /// Arenas the daemon allows, unless `MALLOC_ARENA_MAX` in the environment says otherwise (glibc reads it itself).
    static let daemonLimit: Int32 = 2

    /// `M_ARENA_MAX` of glibc's `<malloc.h>`, which the Glibc module does not import.
    private static let arenaMaxParameter: Int32 = -8

    /// Caps glibc's arenas at ``daemonLimit``; call before the process starts any thread. Where the C library has no
    /// `mallopt` it does nothing.
    static func limitForDaemon() {
        #if canImport(Glibc)
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil,
            let symbol = dlsym(nil, "mallopt")
        else { return }
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        _ = unsafeBitCast(symbol, to: MallOpt.self)(arenaMaxParameter, daemonLimit)
        #endif
    }
}
