/// `realtime` and `loop`: how a file stream is played (for demos, tests and benchmarks).
extension DaemonConfiguration {
    /// Reads the stream's `realtime` and `loop` keys into `stream`; both are for files only.
    static func readPlayback(_ s: inout TableReader, into stream: inout StreamConfiguration) throws {
        stream.realtime = try s.bool("realtime") ?? stream.realtime
        stream.loop = try s.bool("loop") ?? stream.loop
        guard stream.live else { return }
        if stream.realtime {
            throw s.error("realtime", "paces a file to its timestamps; a live source is paced by its sender (remove the key or set live = false)")
        }
        if stream.loop {
            throw s.error("loop", "restarts a file at its end; a live source reconnects instead (remove the key or set live = false)")
        }
    }
}
