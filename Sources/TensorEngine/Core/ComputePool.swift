import Foundation
import Synchronization

/// A small fixed set of worker threads owned by the engine, for splitting one kernel across cores.
///
/// The calling thread always takes part, so a pool of `threadCount` uses `threadCount − 1` extra threads. Workers spin
/// briefly after each job (kernels arrive back to back), then keep yielding the CPU for up to a millisecond, then sleep
/// on a condition variable, so an idle pool costs nothing and a thread that has work on the same CPU (a decoder,
/// OpenBLAS) gets it. The yielding phase is for the layers too small to split, which the caller runs alone: with the
/// worker asleep after ~10 µs of spinning, SSDLite at 2 threads woke it ~16 times a pass (6,727 context switches in 410
/// passes, 6.31 ms a pass); yielding instead, 148 switches and 5.8–6.0 ms. They never touch Swift's cooperative pool.
///
/// - Important: ``run(tasks:_:)`` must be called from one thread at a time (the owner of the pool, e.g. a `Network`).
public final class ComputePool: @unchecked Sendable {
    // @unchecked: `shared` is the only state touched by workers and it is synchronised by its atomics and mutex.
    /// Threads that execute a job, including the caller.
    public let threadCount: Int
    private let shared: PoolState

    /// Starts `threadCount − 1` worker threads (none for 1).
    public init(threadCount: Int) {
        self.threadCount = max(1, threadCount)
        self.shared = PoolState()
        for index in 1..<self.threadCount {
            let state = shared
            let thread = Thread { state.workerLoop(worker: index) }
            thread.name = "TensorEngine.worker\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit { shared.shutDown() }

    /// Runs `body(i)` exactly once for every `i` in `0..<tasks`, spread over the pool; returns when all are done.
    public func run(tasks: Int, _ body: (Int) -> Void) {
        runOnWorkers(tasks: tasks) { task, _ in body(task) }
    }

    /// Like ``run(tasks:_:)``, and also tells each task which thread runs it: `worker` is in `0..<threadCount` (0 is the
    /// caller) and no two tasks with the same `worker` run at once, so a task may use per-worker scratch memory.
    public func runOnWorkers(tasks: Int, _ body: (_ task: Int, _ worker: Int) -> Void) {
        if tasks <= 0 { return }
        if threadCount == 1 || tasks == 1 {
            for i in 0..<tasks { body(i, 0) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            shared.execute(tasks: tasks, body: escapable)
        }
    }

    /// Splits `0..<count` into at most `threadCount · oversubscription` contiguous ranges of at least `minimumChunk`
    /// and runs them on the pool. Threads claim ranges as they finish, so oversubscription evens out threads that run
    /// slower (a vCPU shared with another process) at the price of one atomic claim per range.
    public func parallelRanges(_ count: Int, minimumChunk: Int = 1, oversubscription: Int = 1, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let chunks = max(1, min(threadCount * max(1, oversubscription), count / max(1, minimumChunk)))
        if chunks == 1 {
            body(0..<count)
            return
        }
        run(tasks: chunks) { i in
            body((count * i / chunks)..<(count * (i + 1) / chunks))
        }
    }
}

/// State shared between the pool owner and its workers.
///
/// Protocol: every job gets a number. The owner publishes `job` and `taskInfo` (number and task count), then opens the
/// job by storing its number with index 0 into `nextTask` (release). A claim adds 1 to `nextTask` and runs a task only if
/// the claimed number matches `taskInfo`'s and the index is below its count; the owner does not touch `job` again until
/// every task has finished (`pending == 0`) and it has closed the job (index ``closed``). So `job` is never read while it
/// is written, and a claim made for one job can never run a task of the next: a worker delayed between its claim and
/// the count check (a preempted vCPU) once compared a finished job's index with the next job's count, ran a task twice
/// and let the owner return early (seen as "closure argument was escaped in withoutActuallyEscaping block").
private final class PoolState: @unchecked Sendable {
    // @unchecked: `job` is guarded by the claim protocol above; everything else is atomic or under `condition`.
    /// The index of a closed job: above any task count, far below the job number's bits.
    static let closed = 1 << 31
    static let indexMask = (1 << 32) - 1
    let generation = Atomic<Int>(0)
    /// `number << 32 | index`: the next task index of job `number`.
    let nextTask = Atomic<Int>(PoolState.closed)
    /// `number << 32 | tasks` of the current job.
    let taskInfo = Atomic<Int>(0)
    let pending = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    var job: ((Int, Int) -> Void)?
    /// The current job's number (owner only), in 31 bits.
    var jobNumber = 0
    let condition = NSCondition()
    /// Load-and-compare iterations a worker spins after a job (a few microseconds) before it starts yielding.
    static let tightSpins = 20_000
    /// How long a worker keeps yielding for the next job before it sleeps on `condition`.
    static let yieldingNanoseconds: UInt64 = 1_000_000

    func execute(tasks: Int, body: @escaping (Int, Int) -> Void) {
        precondition(tasks < PoolState.closed, "ComputePool: \(tasks) tasks")
        jobNumber = (jobNumber + 1) & 0x7FFF_FFFF
        job = body
        taskInfo.store(jobNumber << 32 | tasks, ordering: .relaxed)
        pending.store(tasks, ordering: .relaxed)
        nextTask.store(jobNumber << 32, ordering: .releasing)
        condition.lock()
        generation.add(1, ordering: .releasing)
        condition.broadcast()
        condition.unlock()
        drain(worker: 0)
        var spins = 0
        while pending.load(ordering: .acquiring) > 0 {
            spins += 1
            if spins > 4096 { sched_yield() }
        }
        nextTask.store(jobNumber << 32 | PoolState.closed, ordering: .releasing)
        job = nil
    }

    /// Claims and runs tasks of the open job until none are left.
    func drain(worker: Int) {
        while true {
            let claim = nextTask.add(1, ordering: .acquiring).oldValue
            let info = taskInfo.load(ordering: .relaxed)
            if claim >> 32 != info >> 32 || claim & PoolState.indexMask >= info & PoolState.indexMask { return }
            run(task: claim & PoolState.indexMask, worker: worker)
            pending.subtract(1, ordering: .releasing)
        }
    }

    /// Calls the job. Out of line so the worker's retained copy of the closure is released before `pending` tells the
    /// owner the task is done: released after it, the owner could already have left `withoutActuallyEscaping`, which
    /// traps when the closure outlives its block ("closure argument was escaped").
    @inline(never)
    private func run(task: Int, worker: Int) {
        job?(task, worker)
    }

    func workerLoop(worker: Int) {
        var seen = 0
        while true {
            var spins = 0
            var current = generation.load(ordering: .acquiring)
            var yieldingSince: UInt64 = 0
            while current == seen {
                spins += 1
                if spins > Self.tightSpins {
                    // Past the tight spin: yield (another runnable thread on this CPU, e.g. a decoder, gets it) until
                    // the budget is spent, checking the clock every 64 yields.
                    if spins & 63 == 0 {
                        let now = DispatchTime.now().uptimeNanoseconds
                        if yieldingSince == 0 {
                            yieldingSince = now
                        } else if now - yieldingSince > Self.yieldingNanoseconds {
                            break
                        }
                    }
                    sched_yield()
                }
                current = generation.load(ordering: .acquiring)
            }
            if current == seen {
                condition.lock()
                while generation.load(ordering: .acquiring) == seen && !stopping.load(ordering: .relaxed) {
                    condition.wait()
                }
                condition.unlock()
                current = generation.load(ordering: .acquiring)
            }
            if stopping.load(ordering: .relaxed) { return }
            seen = current
            drain(worker: worker)
        }
    }

    func shutDown() {
        condition.lock()
        stopping.store(true, ordering: .relaxed)
        generation.add(1, ordering: .releasing)
        condition.broadcast()
        condition.unlock()
    }
}
