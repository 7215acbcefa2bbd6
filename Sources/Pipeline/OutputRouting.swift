import Foundation
import Sinks

/// Which output queues each stream slot writes to, shared by delivery (which reads it for every record) and a reload
/// (which adds slots and swaps an output that reopened with new settings for its replacement).
final class OutputRouting: @unchecked Sendable {
    // Unchecked: `bySlot` is guarded by `lock`.
    private let lock = NSLock()
    private var bySlot: [[OutputQueue]]

    /// Routing for the start-up slots: `bySlot[i]` are stream `i`'s queues.
    init(_ bySlot: [[OutputQueue]]) { self.bySlot = bySlot }

    /// The queues of `slot` (none for a slot never added).
    func queues(slot: Int) -> [OutputQueue] { lock.withLock { slot < bySlot.count ? bySlot[slot] : [] } }

    /// Every slot's queues, by slot.
    var all: [[OutputQueue]] { lock.withLock { bySlot } }

    /// Sets the queues of `slot`, appending empty slots before it when needed.
    func set(slot: Int, _ queues: [OutputQueue]) {
        lock.withLock {
            while bySlot.count <= slot { bySlot.append([]) }
            bySlot[slot] = queues
        }
    }

    /// Replaces `old` by `new` in every slot that writes to it (the output reopened with new settings); with `new`
    /// nil the output is removed.
    func replace(_ old: OutputQueue, with new: OutputQueue?) {
        lock.withLock {
            for i in bySlot.indices {
                guard let position = bySlot[i].firstIndex(where: { $0 === old }) else { continue }
                if let new { bySlot[i][position] = new } else { bySlot[i].remove(at: position) }
            }
        }
    }

    /// Adds `queue` to every slot in `slots` (an output newly configured by a reload).
    func add(_ queue: OutputQueue, to slots: [Int]) {
        lock.withLock {
            for slot in slots where slot < bySlot.count && !bySlot[slot].contains(where: { $0 === queue }) { bySlot[slot].append(queue) }
        }
    }
}
