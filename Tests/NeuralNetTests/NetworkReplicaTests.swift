import Foundation
import NeuralNet
import TensorEngine
import TestSupport
import Testing

/// ``Network/replica()``: shared compiled weights, separate buffers, safe to run at the same time.
@Suite("Network replicas")
struct NetworkReplicaTests {
    @Test func replicasRunConcurrentlyWithTheOriginalsResults() throws {
        let b = NetworkGraphTests.everyOpGraph()
        let original = try Network(graph: b.graph, parameters: b.randomParameters(seed: 5), options: NetworkOptions(threads: 2))
        let replica = original.replica()
        #expect(replica.options == original.options && replica.outputShapes == original.outputShapes)
        let inputs = (0..<8).map { Tensor.random(shape: [11, 11, 8], seed: UInt64(100 + $0)) }
        let expected = try inputs.map { try original.forward($0) }
        let results = ResultBox(count: 2 * inputs.count)
        // Both networks at once, each on its own thread, several passes: shared state would corrupt some result.
        DispatchQueue.concurrentPerform(iterations: 2) { which in
            let network = which == 0 ? original : replica
            for (i, input) in inputs.enumerated() {
                results.set(which * inputs.count + i, try? network.forward(input))
            }
        }
        for which in 0..<2 {
            for i in inputs.indices {
                #expect(results.get(which * inputs.count + i) == expected[i], "network \(which), input \(i)")
            }
        }
    }
}

/// Results written from two threads, read after both finished.
private final class ResultBox: @unchecked Sendable {
    // @unchecked: every slot is written by one thread and read only after `concurrentPerform` returned.
    private let lock = NSLock()
    private var slots: [[Tensor]?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: [Tensor]?) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    func get(_ index: Int) -> [Tensor]? {
        lock.lock()
        defer { lock.unlock() }
        return slots[index]
    }
}
