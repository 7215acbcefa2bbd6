import Glibc
import Synchronization

/// Wakes a thread blocked in `poll(2)`: a non-blocking pipe whose read end the thread polls. Signals coalesce: while
/// one is pending, further ``signal()`` calls write nothing, so a burst of publishes costs one `write(2)`.
///
/// `Sendable`: the descriptors are immutable after `init`; the pending flag is atomic.
final class WakeSignal: Sendable {
    /// The descriptor to poll for `POLLIN`.
    let readDescriptor: Int32
    private let writeDescriptor: Int32
    private let pending = Atomic<Bool>(false)

    /// Opens the pipe; nil if the process is out of descriptors.
    init?() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readDescriptor = fds[0]
        writeDescriptor = fds[1]
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// Makes the next (or current) `poll` on ``readDescriptor`` return.
    func signal() {
        guard !pending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    /// Empties the pipe after `poll` reported it readable, then re-arms ``signal()``.
    ///
    /// The pipe is read empty before the flag is cleared: clearing first would let a signal write a byte that this read
    /// then swallows, leaving the flag set over an empty pipe, and every later signal would write nothing (the loop then
    /// woke only at its poll timeout). A signal between the read and the clear writes nothing, which loses nothing: the
    /// caller is awake and looks at the client's state (what to write) before it polls again.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while buffer.withUnsafeMutableBytes({ read(readDescriptor, $0.baseAddress, $0.count) }) > 0 {}
        pending.store(false, ordering: .sequentiallyConsistent)
    }

    /// Whether a signal is waiting to be drained (the read end is readable). For tests.
    var isReadable: Bool {
        var descriptor = pollfd(fd: readDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 1
    }
}
