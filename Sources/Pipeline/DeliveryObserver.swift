/// Told of every frame delivery has handed to the outputs, in each stream's frame order: the resume checkpointer
/// (which saves a stream's point once its lines are durable) and `ssdd detect`'s progress display.
protocol DeliveryObserver: Sendable {
    /// `frame` of `stream` was delivered; `nextTrackID` is the id the stream's tracker gives next.
    func delivered(stream: Int, frame: Int, nextTrackID: Int)
}

extension ResumeCheckpointer: DeliveryObserver {}
