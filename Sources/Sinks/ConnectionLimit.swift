import Synchronization

/// Admission control for one listener: at most `maximum` connections at once, and none while the process is
/// within `descriptorReserve` descriptors of its `RLIMIT_NOFILE` soft limit (the pipeline keeps those for its
/// files, streams and SIGHUP reopen). Thread-safe; shared by the accept path and the connections' close callbacks.
public final class ConnectionLimit: Sendable {
    /// Why a connection was refused.
    public enum Refusal: Sendable, Hashable, CustomStringConvertible {
        /// `maximum` connections are open.
        case tooManyConnections(maximum: Int)
        /// The process has `open` descriptors and may have `limit`; the last `reserve` are kept for the pipeline.
        case descriptorReserve(open: Int, limit: Int, reserve: Int)

        public var description: String {
            switch self {
            case let .tooManyConnections(maximum): "\(maximum) connections are open (the limit)"
            case let .descriptorReserve(open, limit, reserve):
                "\(open) of \(limit) file descriptors are open and the last \(reserve) are reserved for the pipeline"
            }
        }
    }

    private struct State {
        var current = 0
        var refused = 0
    }

    /// Most connections open at once.
    public let maximum: Int
    /// Descriptors below the soft limit that this listener never uses.
    public let descriptorReserve: Int
    private let state = Mutex(State())

    /// - Parameters:
    ///   - maximum: most connections open at once (>= 1).
    ///   - descriptorReserve: descriptors kept free for the rest of the process (>= 0).
    public init(maximum: Int, descriptorReserve: Int) {
        self.maximum = maximum
        self.descriptorReserve = descriptorReserve
    }

    /// Takes a slot for a new connection, or says why not. After `nil`, call `release()` exactly once when the
    /// connection closes.
    public func admit() -> Refusal? {
        if let open = OpenDescriptors.count(), let limit = OpenDescriptors.softLimit(), open > limit - descriptorReserve {
            state.withLock { $0.refused += 1 }
            return .descriptorReserve(open: open, limit: limit, reserve: descriptorReserve)
        }
        return state.withLock { state in
            guard state.current < maximum else {
                state.refused += 1
                return .tooManyConnections(maximum: maximum)
            }
            state.current += 1
            return nil
        }
    }

    /// Frees the slot of a closed connection.
    public func release() {
        state.withLock { $0.current = max(0, $0.current - 1) }
    }

    /// Connections holding a slot.
    public var current: Int { state.withLock { $0.current } }

    /// Connections refused so far.
    public var refused: Int { state.withLock { $0.refused } }

    /// Whether the `count`-th refusal should be logged: the 1st, 2nd, 4th, 8th… so a flood leaves a few lines.
    public static func shouldLog(refusal count: Int) -> Bool {
        count > 0 && count & (count - 1) == 0
    }
}
