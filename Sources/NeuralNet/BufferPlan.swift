import TensorEngine

/// Assigns every graph value a preallocated buffer, reusing the buffers of values that are no longer read.
///
/// A value is live from the step that writes it to the last step that reads it; graph outputs stay live to the end.
/// Slot 0 (the network input) has no buffer: `forward` reads the caller's tensor in place.
struct BufferPlan {
    /// Buffer index of each value slot (`nil` for slot 0).
    let bufferOfSlot: [Int?]
    /// The buffers, sized to the largest value they hold.
    let buffers: [TensorStorage]

    /// - Parameters:
    ///   - sizes: element count of each slot (slot 0 is the input).
    ///   - steps: per step, the slots read and the slot written, in execution order.
    ///   - pinned: slots that must survive to the end (the graph outputs).
    init(sizes: [Int], steps: [(inputs: [Int], output: Int)], pinned: Set<Int>) {
        let layout = Self.layout(sizes: sizes, steps: steps, pinned: pinned)
        self.init(bufferOfSlot: layout.bufferOfSlot, capacities: layout.capacities)
    }

    /// The plan without its buffers: which buffer holds each slot and each buffer's capacity in floats. Allocates
    /// nothing, so ``NetworkFootprint`` can size a network before it is built.
    static func layout(sizes: [Int], steps: [(inputs: [Int], output: Int)], pinned: Set<Int>) -> (bufferOfSlot: [Int?], capacities: [Int]) {
        var lastUse = [Int](repeating: -1, count: sizes.count)
        for (index, step) in steps.enumerated() {
            for slot in step.inputs { lastUse[slot] = index }
        }
        for slot in pinned { lastUse[slot] = Int.max }
        var bufferOfSlot = [Int?](repeating: nil, count: sizes.count)
        var capacities: [Int] = []
        var free: [Int] = []
        for (index, step) in steps.enumerated() {
            let need = sizes[step.output]
            // Best fit among free buffers; grow the largest free one if none fits; else a new buffer.
            let fitting = free.filter { capacities[$0] >= need }.min { capacities[$0] < capacities[$1] }
            let chosen: Int
            if let fitting {
                chosen = fitting
            } else if let largest = free.max(by: { capacities[$0] < capacities[$1] }) {
                chosen = largest
                capacities[largest] = need
            } else {
                chosen = capacities.count
                capacities.append(need)
            }
            free.removeAll { $0 == chosen }
            bufferOfSlot[step.output] = chosen
            // Release what dies here (after choosing the output, so an op never writes over its own input).
            for slot in Set(step.inputs) where lastUse[slot] == index {
                if let buffer = bufferOfSlot[slot] { free.append(buffer) }
            }
            if lastUse[step.output] == -1, let buffer = bufferOfSlot[step.output] { free.append(buffer) }
        }
        return (bufferOfSlot, capacities)
    }

    private init(bufferOfSlot: [Int?], capacities: [Int]) {
        self.bufferOfSlot = bufferOfSlot
        self.buffers = capacities.map { TensorStorage(count: $0) }
    }

    /// The same layout with buffers of its own (for a ``Network/replica()``).
    func withNewBuffers() -> BufferPlan {
        BufferPlan(bufferOfSlot: bufferOfSlot, capacities: buffers.map(\.count))
    }

    /// Total floats held by the plan's buffers.
    var totalCount: Int { buffers.reduce(0) { $0 + $1.count } }
}
