import NIOCore
import Synchronization

/// The open connections of a listener, so `stop()` can close them.
final class ConnectionSet: Sendable {
    private struct State {
        var channels: [Int: any Channel] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    /// Adds `channel`; returns its id for `remove(_:)`.
    func insert(_ channel: any Channel) -> Int {
        state.withLock { state in
            state.nextID += 1
            state.channels[state.nextID] = channel
            return state.nextID
        }
    }

    /// Forgets a closed connection.
    func remove(_ id: Int) {
        state.withLock { _ = $0.channels.removeValue(forKey: id) }
    }

    /// Every open connection, forgotten.
    func removeAll() -> [any Channel] {
        state.withLock { state in
            defer { state.channels = [:] }
            return Array(state.channels.values)
        }
    }
}
