import CFFmpeg
import Foundation
import Synchronization

/// A cancel flag shared between a ``ReadCanceller`` and the reader it stops; safe to set from any thread.
final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

/// The state behind FFmpeg's interrupt callback: a deadline for the blocking call in progress and a cancel flag.
///
/// FFmpeg calls the callback on the thread that is blocked in `avformat_open_input`/`av_read_frame`; `cancel()` may
/// be called from any thread. Both fields are atomics, which makes the class safe to share.
final class InterruptGuard: Sendable {
    private let deadlineNanoseconds = Atomic<UInt64>(UInt64.max)
    private let timedOut = Atomic<Bool>(false)
    /// Set by `cancel()` or by a ``ReadCanceller`` made before the reader.
    let cancellation: CancellationFlag
    /// Seconds a single blocking call may take (validated by ``VideoReaderOptions/timeoutProblem(_:)``).
    let timeout: Double
    /// False for regular files: their reads cannot block indefinitely, and a deadline would only cut CPU-bound work
    /// (stream analysis of a large frame) short on a busy machine. Cancelling still works.
    let enforcesDeadline: Bool

    init(timeout: Double, enforcesDeadline: Bool = true, cancellation: CancellationFlag = CancellationFlag()) {
        self.timeout = timeout
        self.enforcesDeadline = enforcesDeadline
        self.cancellation = cancellation
    }

    /// Starts the clock for the next blocking call.
    func arm() {
        timedOut.store(false, ordering: .relaxed)
        guard enforcesDeadline else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        // The timeout is at most a day, so the product fits; the guard keeps an unvalidated value from trapping.
        let span = timeout > 0 && timeout <= VideoReaderOptions.maximumTimeout ? UInt64(timeout * 1e9) : 0
        deadlineNanoseconds.store(now &+ span, ordering: .relaxed)
    }

    /// Stops the clock (used between calls so idle time is not counted).
    func disarm() { deadlineNanoseconds.store(UInt64.max, ordering: .relaxed) }

    /// Makes the current and every later blocking call return AVERROR_EXIT.
    func cancel() { cancellation.set() }

    var isCancelled: Bool { cancellation.isSet }

    /// Whether the last abort was caused by the deadline (rather than `cancel()`).
    var didTimeOut: Bool { timedOut.load(ordering: .relaxed) }

    /// Whether the blocking call in progress must give up now: cancelled, or past its deadline.
    func shouldAbort() -> Bool {
        if cancellation.isSet { return true }
        if DispatchTime.now().uptimeNanoseconds > deadlineNanoseconds.load(ordering: .relaxed) {
            timedOut.store(true, ordering: .relaxed)
            return true
        }
        return false
    }

    /// The C callback structure; `self` must outlive the format context that holds it.
    func callback() -> AVIOInterruptCB {
        AVIOInterruptCB(
            callback: { opaque in
                guard let opaque else { return 0 }
                return Unmanaged<InterruptGuard>.fromOpaque(opaque).takeUnretainedValue().shouldAbort() ? 1 : 0
            },
            opaque: Unmanaged.passUnretained(self).toOpaque())
    }
}
