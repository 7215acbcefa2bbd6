import CFFmpeg
import Foundation
import Synchronization

/// The state behind FFmpeg's interrupt callback: a deadline for the blocking call in progress and a cancel flag.
///
/// FFmpeg calls the callback on the thread that is blocked in `avformat_open_input`/`av_read_frame`; `cancel()` may
/// be called from any thread. Both fields are atomics, which makes the class safe to share.
final class InterruptGuard: Sendable {
    private let deadlineNanoseconds = Atomic<UInt64>(UInt64.max)
    private let cancelled = Atomic<Bool>(false)
    private let timedOut = Atomic<Bool>(false)
    /// Seconds a single blocking call may take.
    let timeout: Double

    init(timeout: Double) {
        self.timeout = timeout
    }

    /// Starts the clock for the next blocking call.
    func arm() {
        timedOut.store(false, ordering: .relaxed)
        let now = DispatchTime.now().uptimeNanoseconds
        deadlineNanoseconds.store(now &+ UInt64(max(timeout, 0) * 1e9), ordering: .relaxed)
    }

    /// Stops the clock (used between calls so idle time is not counted).
    func disarm() { deadlineNanoseconds.store(UInt64.max, ordering: .relaxed) }

    /// Makes the current and every later blocking call return AVERROR_EXIT.
    func cancel() { cancelled.store(true, ordering: .relaxed) }

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
    /// Whether the last abort was caused by the deadline (rather than `cancel()`).
    var didTimeOut: Bool { timedOut.load(ordering: .relaxed) }

    /// Called by FFmpeg: non-zero aborts the blocking call.
    fileprivate func shouldAbort() -> Bool {
        if cancelled.load(ordering: .relaxed) { return true }
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
