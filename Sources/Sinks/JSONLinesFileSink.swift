import Logging
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Appends JSON Lines to a file: one `write(2)` per complete line on an `O_APPEND` descriptor, so a reader
/// never sees half a line, even after the process is killed.
///
/// - Rotation: by size (`maxFileBytes`) and/or age (`rotationInterval`); the live file is fsynced, then
///   `path.1…path.N` shift up and the live file becomes `path.1`.
/// - Durability: `flush()` and `close()` fsync; rotation fsyncs the file and its directory.
/// - logrotate / SIGHUP: call `reopen()` after the file was renamed; a deleted file is noticed and recreated.
/// - Failures (EACCES, ENOSPC, EROFS, a missing directory, …) are logged once per failure streak, counted
///   in `statistics.failures`, and the lines stay in a bounded retry buffer that is written, in order, on
///   the next write, `retryPending()` or the retry timer (`runRetryTimer(every:)`). Only when the buffer
///   overflows are lines dropped, oldest first, and counted. Nothing is ever thrown into the pipeline.
///
/// All file I/O runs on a dedicated single-thread `NIOThreadPool`, never on Swift's cooperative pool;
/// the async methods suspend until their I/O is done, which is the back-pressure on the caller.
public final class JSONLinesFileSink: Sink {
    /// The validated configuration.
    public let configuration: FileSinkConfiguration
    private let pool: NIOThreadPool
    /// The writer; locked only on the I/O thread, while it performs the blocking work.
    private let writer: Mutex<FileWriter>
    /// A copy of the writer's counters taken after each operation, so metrics never wait for I/O.
    private let statisticsSnapshot = Mutex(FileSinkStatistics())
    private let now: @Sendable () -> ContinuousClock.Instant

    /// Creates the sink and its I/O thread. The file is opened on the first write; if that fails the failure
    /// is handled like any write failure.
    /// - Parameters:
    ///   - configuration: where and how to write; validated here.
    ///   - logger: receives failures (error), recoveries (notice) and rotations (info), with `path` metadata.
    ///   - now: the monotonic clock for time rotation; tests inject a manual one.
    /// - Throws: `SinksError.invalidConfiguration` naming the bad key.
    public init(
        configuration: FileSinkConfiguration, logger: Logger,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) throws(SinksError) {
        try configuration.validate()
        self.configuration = configuration
        self.writer = Mutex(FileWriter(configuration: configuration, logger: logger))
        self.now = now
        self.pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    deinit {
        // Normally `close()` already stopped the thread; this only covers a sink that was never closed.
        pool.shutdownGracefully { _ in }
    }

    /// Current counters (a snapshot; cheap, never waits for I/O).
    public var statistics: FileSinkStatistics { statisticsSnapshot.withLock { $0 } }

    /// False while writes fail and lines wait for retry.
    public var isHealthy: Bool { !statistics.isFailing }

    /// Opens (creating if needed) the file now, so that a path that cannot be written fails at start-up rather than
    /// on the first line: a missing directory, a directory or FIFO at the path, no permission.
    public func open() async throws(SinksError) {
        let result: Result<Void, SinksError> = await performReturning { writer, now in
            do throws(SinksError) {
                try writer.open(now: now)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Writes one line (see the type's documentation for the failure policy).
    public func write(_ line: JSONLine) async {
        await perform { writer, now in writer.append([line.bytes], now: now) }
    }

    /// Writes several lines in order, in one hop to the I/O thread.
    public func write(contentsOf lines: [JSONLine]) async {
        let bytes = lines.map(\.bytes)
        await perform { writer, now in writer.append(bytes, now: now) }
    }

    /// Writes pending lines and fsyncs the file.
    public func flush() async {
        await perform { writer, now in writer.flush(now: now) }
    }

    /// Closes and reopens the file at `configuration.path` (for SIGHUP after logrotate renamed it).
    public func reopen() async {
        await perform { writer, now in writer.reopen(now: now) }
    }

    /// Tries again to write lines kept after a failure.
    public func retryPending() async {
        await perform { writer, now in writer.retry(now: now) }
    }

    /// Calls `retryPending()` every `interval` until the calling task is cancelled; run it in the owning
    /// service's task group (e.g. with `cancelOnGracefulShutdown()`).
    public func runRetryTimer(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            if statistics.pendingLines > 0 { await retryPending() }
        }
    }

    /// Writes what it can, fsyncs, closes the file and stops the I/O thread. Idempotent.
    public func close() async {
        await perform { writer, now in writer.close(now: now) }
        try? await pool.shutdownGracefully()
    }

    /// Runs `body` on the I/O thread and returns its result.
    private func performReturning<T: Sendable>(
        _ body: @escaping @Sendable (inout FileWriter, ContinuousClock.Instant) -> Result<T, SinksError>
    ) async -> Result<T, SinksError> {
        let box = Mutex<Result<T, SinksError>>(.failure(.systemCall("open", path: configuration.path, errno: ECANCELED)))
        await perform { writer, now in
            let result = body(&writer, now)
            box.withLock { $0 = result }
        }
        return box.withLock { $0 }
    }

    /// Runs `body` on the I/O thread and waits for it. Task cancellation does not skip the work: an accepted
    /// line is always handled. After `close()` the pool is gone and the work is dropped.
    private func perform(_ body: @escaping @Sendable (inout FileWriter, ContinuousClock.Instant) -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            pool.submit { state in
                if state == .active {
                    let statistics = self.writer.withLock { writer in
                        body(&writer, self.now())
                        return writer.statistics
                    }
                    self.statisticsSnapshot.withLock { $0 = statistics }
                }
                continuation.resume()
            }
        }
    }
}
