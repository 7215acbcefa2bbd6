import Synchronization

/// What `ssdd detect` learns about one input from the stages that process it: the declared frame count once the
/// input is open, the first failure (opening, reading or inference) and the reader's warnings. The daemon passes no
/// report: it logs the same events and reports them in `stream` records.
public final class StreamReport: Sendable {
    private struct State {
        var failure: String?
        var warnings: [String] = []
    }

    private let state = Mutex(State())
    private let onOpen: @Sendable (_ declaredFrameCount: Int?) -> Void

    /// - Parameter onOpen: called on the source thread once the input is open, with the frame count its container
    ///   declares (nil when unknown).
    public init(onOpen: @escaping @Sendable (_ declaredFrameCount: Int?) -> Void = { _ in }) {
        self.onOpen = onOpen
    }

    /// The first failure, as a message naming the input.
    public var failure: String? { state.withLock { $0.failure } }

    /// The reader's warnings (a truncated input, skipped packets), in order.
    public var warnings: [String] { state.withLock { $0.warnings } }

    func opened(declaredFrameCount: Int?) { onOpen(declaredFrameCount) }

    /// Keeps `message` unless an earlier failure is already kept.
    func failed(_ message: String) {
        state.withLock { if $0.failure == nil { $0.failure = message } }
    }

    func warned(_ warnings: [String]) {
        state.withLock { $0.warnings += warnings }
    }
}
