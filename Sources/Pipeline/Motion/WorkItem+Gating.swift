import MediaIO

extension WorkItem {
    /// What delivery gets of a frame the motion gate held back (``FrameScheduler/accept(stream:frame:frameIndex:gated:)``):
    /// the frame numbered `sequence`, marked ``InferredFrame/gated``, without pixels.
    func gatedFrame(sequence: Int) -> InferredFrame {
        var frame = InferredFrame(
            stream: stream, sequence: sequence, frameIndex: frameIndex, pts: self.frame.presentationTime,
            sourceWidth: self.frame.sourceWidth, sourceHeight: self.frame.sourceHeight, decodedAt: decodedAt,
            decodedNanoseconds: decodedNanoseconds)
        frame.gated = true
        return frame
    }
}
