/// A destination for encoded records.
///
/// The pipeline encodes each record once (`JSONLineEncoder`) and hands the same `JSONLine` to every sink, each
/// behind its own ``OutputQueue``. Sinks never throw into the pipeline and never crash on I/O errors: they count and
/// log failures, and keep or drop lines according to their documented policy.
public protocol Sink: Sendable {
    /// Accepts one line. Returns once the sink has taken responsibility for it (written, queued, or counted
    /// as dropped); lines from one caller keep their order.
    func write(_ line: JSONLine) async
    /// Accepts several lines in order (one hop for sinks that do I/O on their own thread).
    func write(contentsOf lines: [JSONLine]) async
    /// Makes everything accepted so far durable (for files: written and fsynced), as far as possible.
    func flush() async
    /// Flushes and releases the sink's resources. Lines written afterwards are dropped and counted.
    func close() async
    /// False while the sink cannot deliver (for files: writes fail and lines wait for retry).
    var isHealthy: Bool { get }
}

extension Sink {
    public func write(contentsOf lines: [JSONLine]) async {
        for line in lines { await write(line) }
    }

    public var isHealthy: Bool { true }
}
