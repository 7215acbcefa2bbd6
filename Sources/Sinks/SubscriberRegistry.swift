import NIOCore
import Synchronization

/// The set of connected subscribers, shared between the publishing caller and the event loops; `Handler` is the
/// loop-confined connection handler (the Unix socket's `SubscriberHandler`, the WebSocket feed's handler in `WebAPI`).
public final class SubscriberRegistry<Handler: LineSubscriber>: Sendable {
    /// One subscriber as seen from outside its event loop.
    public struct Entry: Sendable {
        public let id: Int
        public let eventLoop: any EventLoop
        /// The handler; `NIOLoopBound` checks at runtime that it is only touched on its loop.
        public let handler: NIOLoopBound<Handler>

        /// Wraps a handler living on `eventLoop`.
        public init(id: Int, eventLoop: any EventLoop, handler: NIOLoopBound<Handler>) {
            self.id = id
            self.eventLoop = eventLoop
            self.handler = handler
        }
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        var nextID = 1
        var accepting = true
        var slowDisconnects = 0
    }

    private let state = Mutex(State())

    /// An empty registry that accepts subscribers.
    public init() {}

    /// A fresh subscriber id.
    public func makeID() -> Int {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Hands `line` to every subscriber on its own event loop (each decides by its subscription whether to send it).
    /// Never blocks and never waits for a subscriber.
    public func publish(_ line: ByteBuffer, metadata: RecordMetadata) {
        for entry in snapshot {
            let handler = entry.handler
            entry.eventLoop.execute { handler.value.deliver(line, metadata: metadata) }
        }
    }

    /// Adds a subscriber; `false` once `stopAccepting()` was called (the caller then closes the connection).
    public func add(_ entry: Entry) -> Bool {
        state.withLock { state in
            guard state.accepting else { return false }
            state.entries[entry.id] = entry
            return true
        }
    }

    /// Removes a subscriber (idempotent).
    public func remove(id: Int) {
        state.withLock { _ = $0.entries.removeValue(forKey: id) }
    }

    /// Counts a slow-consumer disconnection.
    public func countSlowDisconnect() {
        state.withLock { $0.slowDisconnects += 1 }
    }

    /// The current subscribers, in connection order.
    public var snapshot: [Entry] {
        state.withLock { $0.entries.values.sorted { $0.id < $1.id } }
    }

    /// Number of subscribers receiving lines.
    public var count: Int { state.withLock { $0.entries.count } }

    /// Subscribers disconnected for reading too slowly, in total.
    public var slowDisconnects: Int { state.withLock { $0.slowDisconnects } }

    /// Refuses new subscribers and returns (and forgets) the current ones, for shutdown.
    public func stopAccepting() -> [Entry] {
        state.withLock { state in
            state.accepting = false
            defer { state.entries = [:] }
            return state.entries.values.sorted { $0.id < $1.id }
        }
    }
}

/// A loop-confined subscriber connection that takes published lines (the Unix socket's and the WebSocket feed's).
public protocol LineSubscriber: AnyObject {
    /// Called on the subscriber's event loop with a line and its metadata; queues it if the subscription matches.
    func deliver(_ line: ByteBuffer, metadata: RecordMetadata)
}
