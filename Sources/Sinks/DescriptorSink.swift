import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes lines to standard output or to a file it creates (truncating it): `ssdd detect`'s output.
///
/// Every line is written completely and in order (``DescriptorWrite``'s loop), on a thread of its own. It keeps no
/// retry buffer and never drops a line silently: the first failed write is kept as ``failure`` (the caller reports
/// it and fails), and lines that arrive after it are counted in ``linesNotWritten``. Put it behind an
/// ``OutputQueue`` with the ``OverflowPolicy/wait`` policy so that nothing is dropped before it either.
public final class DescriptorSink: Sink {
    /// `stdout`, or the file's path, for messages.
    public let name: String
    private let descriptor: CInt
    private let ownsDescriptor: Bool
    private let pool: NIOThreadPool
    private let state = Mutex(State())

    private struct State {
        var failure: String?
        var linesWritten = 0
        var linesNotWritten = 0
        var closed = false
    }

    /// A sink writing to standard output (never closed by the sink).
    public static func standardOutput() -> DescriptorSink {
        DescriptorSink(name: "stdout", descriptor: STDOUT_FILENO, ownsDescriptor: false)
    }

    /// A sink writing to `path`, created (mode 0644 before the umask) or truncated now.
    /// - Throws: `SinksError.systemCall("open", …)` when the file cannot be opened for writing.
    public static func creatingFile(_ path: String) throws(SinksError) -> DescriptorSink {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .systemCall("open", path: path, errno: errno) }
        return DescriptorSink(name: path, descriptor: descriptor, ownsDescriptor: true)
    }

    private init(name: String, descriptor: CInt, ownsDescriptor: Bool) {
        self.name = name
        self.descriptor = descriptor
        self.ownsDescriptor = ownsDescriptor
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    deinit {
        // Normally `close()` already stopped the thread and closed the file; this covers a sink never closed.
        if ownsDescriptor && !state.withLock({ $0.closed }) { SystemError.closeDescriptor(descriptor) }
        pool.shutdownGracefully { _ in }
    }

    /// The first failure (write, fsync or close), naming the output; nil while all is well.
    public var failure: String? { state.withLock { $0.failure } }

    /// Lines written completely.
    public var linesWritten: Int { state.withLock { $0.linesWritten } }

    /// Lines not written because an earlier write failed (or the sink was closed).
    public var linesNotWritten: Int { state.withLock { $0.linesNotWritten } }

    public var isHealthy: Bool { failure == nil }

    public func write(_ line: JSONLine) async {
        await write(contentsOf: [line])
    }

    /// Writes `lines` in order on the sink's thread; after a failure they are only counted.
    public func write(contentsOf lines: [JSONLine]) async {
        let bytes = lines.flatMap(\.bytes)
        await perform { [self] in
            let failed = state.withLock { $0.failure != nil || $0.closed }
            guard !failed else {
                state.withLock { $0.linesNotWritten += lines.count }
                return
            }
            let outcome = DescriptorWrite.all(bytes, to: descriptor)
            state.withLock { state in
                if outcome.isComplete {
                    state.linesWritten += lines.count
                } else {
                    state.failure = "\(name): write failed: \(SystemError.describe(outcome.errno))"
                    state.linesNotWritten += lines.count
                }
            }
        }
    }

    /// For a file: fsync, so what was written is durable. Standard output is left alone (it may be a pipe). A file that
    /// cannot be synchronised (`-o /dev/null`, a FIFO: fsync answers EINVAL or ENOTSUP) has nothing to make durable.
    public func flush() async {
        guard ownsDescriptor else { return }
        await perform { [self] in
            if fsync(descriptor) != 0 {
                let error = errno
                if error == EINVAL || error == ENOTSUP { return }
                state.withLock { if $0.failure == nil { $0.failure = "\(name): fsync failed: \(SystemError.describe(error))" } }
            }
        }
    }

    /// Flushes, closes the file (standard output stays open) and stops the sink's thread. Call it once.
    public func close() async {
        await flush()
        await perform { [self] in
            let wasClosed = state.withLock { state in
                defer { state.closed = true }
                return state.closed
            }
            // The fsync above reported any write-back error; close(2) is not retried (Linux frees the fd regardless).
            if ownsDescriptor && !wasClosed { SystemError.closeDescriptor(descriptor) }
        }
        try? await pool.shutdownGracefully()
    }

    /// Runs `body` on the sink's thread and waits for it; after `close()` the work is skipped.
    private func perform(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            pool.submit { poolState in
                if poolState == .active { body() }
                continuation.resume()
            }
        }
    }
}
