import Sinks
import Synchronization

/// A sink that keeps the detections of every `frame` record it receives, by frame index, and passes every line on to
/// an optional second sink (`ssdd annotate --jsonl`): the records ``VideoAnnotator`` draws, taken from the same
/// pipeline output `ssdd detect` writes.
public final class FrameRecordCollector: Sink {
    private let forward: (any Sink)?
    private let frames = Mutex<[Int: FrameRecord]>([:])

    /// - Parameter forward: also receives every line (flushed and closed with this sink).
    public init(forwardingTo forward: (any Sink)? = nil) {
        self.forward = forward
    }

    /// The frame records received so far, by frame index.
    public var records: [Int: FrameRecord] { frames.withLock { $0 } }

    public func write(_ line: JSONLine) async {
        if case .frame(let record) = line.record { frames.withLock { $0[record.frameIndex] = record } }
        await forward?.write(line)
    }

    public func flush() async { await forward?.flush() }

    public func close() async { await forward?.close() }

    public var isHealthy: Bool { forward?.isHealthy ?? true }
}
