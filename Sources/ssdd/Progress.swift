import Foundation
import Synchronization

/// A one-line progress bar on stderr, drawn only when stderr is a terminal. Updated from the pipeline's tasks and
/// threads (the total when the input opens, each delivered frame), so its state is behind a lock.
final class Progress: Sendable {
    private struct State {
        var total: Int?
        var lastDraw = Date.distantPast
    }

    private let input: String
    private let enabled = isatty(STDERR_FILENO) == 1
    private let started = Date()
    private let state = Mutex(State())
    private let deliveredCount = Atomic<Int>(0)

    /// Frames delivered so far (``update(frame:)`` calls).
    var delivered: Int { deliveredCount.load(ordering: .relaxed) }

    init(input: String) {
        self.input = input
    }

    /// The frame count the input declares, when it is known.
    func setTotal(_ total: Int?) {
        state.withLock { $0.total = total }
    }

    /// `frame` frames are done; redraws at most five times a second.
    func update(frame: Int) {
        deliveredCount.add(1, ordering: .relaxed)
        guard enabled else { return }
        let now = Date()
        guard
            let total = state.withLock({ state -> Int?? in
                guard now.timeIntervalSince(state.lastDraw) > 0.2 else { return nil }
                state.lastDraw = now
                return .some(state.total)
            })
        else { return }
        let rate = Double(frame) / max(now.timeIntervalSince(started), 1e-3)
        var text = "\r\(input): frame \(frame)"
        if let total, total > 0 {
            let width = 30
            let filled = min(width, frame * width / total)
            text += "/\(total) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
        }
        text += String(format: " %.1f frames/s ", rate)
        Console.write(text, to: STDERR_FILENO)
    }

    func finish() {
        if enabled { Console.write("\r\u{1B}[K", to: STDERR_FILENO) }
    }
}
