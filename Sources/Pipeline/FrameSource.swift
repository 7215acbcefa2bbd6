/// One stream's source of frames, run on a thread of its own by ``SourcesService``.
///
/// A source opens its input, hands each decoded frame to the ``FrameScheduler`` (`accept`, which blocks a file source
/// while its stream is full) and posts its state changes. It stops reading when the scheduler is stopping.
///
/// - Important: `run()` must call ``FrameScheduler/finish(stream:complete:)`` for its stream before it returns, on
///   every path: inference runs until every stream is finished, so a source that returns without finishing its
///   stream keeps the pipeline from draining. ``SourceRunner`` is the FFmpeg-backed source; tests use fakes.
protocol FrameSource: Sendable {
    /// The stream's index in the configuration.
    var stream: Int { get }
    /// A name for the source's thread (`ssdd-source-<stream name>`).
    var threadName: String { get }
    /// Reads until the input ends, fails for good, or the scheduler stops; blocks the calling thread.
    func run()
}
