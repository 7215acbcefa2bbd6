import Synchronization
import Testing

@testable import TensorEngine

/// The engine's worker pool: every task of every job runs exactly once, on a valid worker, and `run` returns only
/// after all of them — across many back-to-back jobs of varying size (workers arriving late claim nothing of a
/// finished job), which is where a claim made for one job once ran a task of the next.
@Suite("Compute pool")
struct ComputePoolTests {
    @Test(arguments: [2, 3])
    func everyTaskRunsOnceBeforeRunReturns(threads: Int) {
        let pool = ComputePool(threadCount: threads)
        let counts = Mutex([Int](repeating: 0, count: 8))
        let badWorkers = Atomic<Int>(0)
        var wrongJobs = 0
        for job in 0..<20_000 {
            let tasks = 2 + job % 7
            counts.withLock { $0.replaceSubrange(0..<8, with: repeatElement(0, count: 8)) }
            pool.runOnWorkers(tasks: tasks) { task, worker in
                if !(0..<threads).contains(worker) { badWorkers.add(1, ordering: .relaxed) }
                counts.withLock { $0[task] += 1 }
            }
            let seen = counts.withLock { $0 }
            if seen[0..<tasks].contains(where: { $0 != 1 }) || seen[tasks...].contains(where: { $0 != 0 }) { wrongJobs += 1 }
        }
        #expect(wrongJobs == 0, "\(wrongJobs) jobs ran a task other than exactly once")
        #expect(badWorkers.load(ordering: .relaxed) == 0)
    }

    @Test func parallelRangesCoverTheRangeOnce() {
        let pool = ComputePool(threadCount: 2)
        for count in [1, 2, 7, 100, 1001] {
            let hits = Mutex([Int](repeating: 0, count: count))
            pool.parallelRanges(count, minimumChunk: 3, oversubscription: 4) { range in
                hits.withLock { for i in range { $0[i] += 1 } }
            }
            #expect(hits.withLock { $0.allSatisfy { $0 == 1 } }, "count \(count)")
        }
    }
}
