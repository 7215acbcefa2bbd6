/// A `Sendable` handle that stops a ``VideoReader`` from any thread: its blocked call returns at once and later
/// calls fail with a `.timeout` error saying the read was cancelled.
///
/// Take it from ``VideoReader/canceller`` or make one first and pass it to
/// ``VideoReader/init(input:options:canceller:)``, so that the open itself (which may wait up to the timeout for a
/// silent peer or a FIFO without a writer) can be cancelled too.
public struct ReadCanceller: Sendable {
    let flag: CancellationFlag

    /// A canceller for a reader not opened yet.
    public init() { flag = CancellationFlag() }

    init(_ flag: CancellationFlag) { self.flag = flag }

    public func cancel() { flag.set() }

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool { flag.isSet }
}
