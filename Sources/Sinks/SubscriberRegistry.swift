import NIOCore
import Synchronization

/// The set of connected subscribers, shared between the publishing caller and the event loops.
final class SubscriberRegistry: Sendable {
    /// One subscriber as seen from outside its event loop.
    struct Entry: Sendable {
        let id: Int
        let eventLoop: any EventLoop
        /// The handler; `NIOLoopBound` checks at runtime that it is only touched on its loop.
        let handler: NIOLoopBound<SubscriberHandler>
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        var nextID = 1
        var accepting = true
        var slowDisconnects = 0
    }

    private let state = Mutex(State())

    /// A fresh subscriber id.
    func makeID() -> Int {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Adds a subscriber; `false` once `stopAccepting()` was called (the caller then closes the connection).
    func add(_ entry: Entry) -> Bool {
        state.withLock { state in
            guard state.accepting else { return false }
            state.entries[entry.id] = entry
            return true
        }
    }

    /// Removes a subscriber (idempotent).
    func remove(id: Int) {
        state.withLock { _ = $0.entries.removeValue(forKey: id) }
    }

    /// Counts a slow-consumer disconnection.
    func countSlowDisconnect() {
        state.withLock { $0.slowDisconnects += 1 }
    }

    /// The current subscribers, in connection order.
    var snapshot: [Entry] {
        state.withLock { $0.entries.values.sorted { $0.id < $1.id } }
    }

    /// Number of subscribers receiving lines.
    var count: Int { state.withLock { $0.entries.count } }

    /// Subscribers disconnected for reading too slowly, in total.
    var slowDisconnects: Int { state.withLock { $0.slowDisconnects } }

    /// Refuses new subscribers and returns (and forgets) the current ones, for shutdown.
    func stopAccepting() -> [Entry] {
        state.withLock { state in
            state.accepting = false
            defer { state.entries = [:] }
            return state.entries.values.sorted { $0.id < $1.id }
        }
    }
}
