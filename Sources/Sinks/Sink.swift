/// A destination for encoded records.
///
/// The pipeline encodes each record once (`JSONLineEncoder`) and hands the same `JSONLine` to every sink.
/// Sinks never throw into the pipeline and never crash on I/O errors: they count and log failures, and keep
/// or drop lines according to their documented policy.
public protocol Sink: Sendable {
    /// Accepts one line. Returns once the sink has taken responsibility for it (written, queued, or counted
    /// as dropped); lines from one caller keep their order.
    func write(_ line: JSONLine) async
    /// Makes everything accepted so far durable (for files: written and fsynced), as far as possible.
    func flush() async
    /// Flushes and releases the sink's resources. Lines written afterwards are dropped and counted.
    func close() async
}
