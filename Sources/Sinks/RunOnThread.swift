import Foundation

/// Runs `work` on a thread of its own named `name` and returns once it has returned: the thread is joined (it only
/// resumes the caller and exits). For blocking work — a source's reads, a worker's inference, a client library's
/// flush — that must never hold one of Swift's cooperative threads. Cancellation does not interrupt `work`; stop it
/// by its own means.
public func runOnThread(_ name: String, _ work: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let thread = Thread {
            work()
            continuation.resume()
        }
        thread.name = name
        thread.start()
    }
}
