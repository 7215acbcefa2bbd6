import Sinks

/// The slot between tracking and the outputs: each stream's delivery hands every tracked frame, in frame order, to
/// the stream's event stage, which may add records of its own after the frame's records.
///
/// This is where logic that reasons over tracks plugs in — the zones and lines of the next issue (a track entering
/// a zone, crossing a line): it sees every frame (also the empty ones the outputs skip when `empty_frames = false`),
/// with the detections' track ids and the track starts and ends the frame caused. The default,
/// ``PassThroughEventStage``, adds nothing; ``ZoneEventStage`` runs the stream's zones and lines.
///
/// One instance per stream (made by an ``EventStageFactory``), called from the delivery task only, so it may keep
/// state without locks. It must not block: delivery waits for it, and a slow stage holds back every stream.
public protocol EventStage {
    /// One tracked frame of the stream. The stage may annotate the frame's record and its ended tracks' records (the
    /// zones a detection is in, the zones a track entered) before they are written. Returns the records to write
    /// after the frame's own records (track starts, the frame, track ends), in order; they reach every output of the
    /// stream.
    mutating func analyze(_ frame: inout TrackedFrame) -> [Record]

    /// The stream ended; `endedTracks` are the tracks its end closed, which the stage may annotate (their `end`
    /// records are written first). Returns the stream's last records.
    mutating func finish(endedTracks: inout [TrackRecord]) -> [Record]
}

/// Makes the event stage of one stream, given its configuration.
public typealias EventStageFactory = @Sendable (_ stream: StreamConfiguration) -> any EventStage

/// A frame after tracking, as an ``EventStage`` sees it.
public struct TrackedFrame: Sendable {
    /// The frame's record: stream, frame index, pts, source size, and every detection with its track id (nil while
    /// the track is tentative), in source pixels. Made for every frame, written only when the outputs want it.
    public var record: FrameRecord
    /// Tracks confirmed on this frame.
    public var startedTracks: [TrackRecord]
    /// Tracks that ended on this frame (unmatched for too long).
    public var endedTracks: [TrackRecord]

    /// Creates a tracked frame.
    public init(record: FrameRecord, startedTracks: [TrackRecord], endedTracks: [TrackRecord]) {
        self.record = record
        self.startedTracks = startedTracks
        self.endedTracks = endedTracks
    }
}

/// The default event stage: adds no records.
public struct PassThroughEventStage: EventStage {
    /// Creates the stage.
    public init() {}

    public mutating func analyze(_ frame: inout TrackedFrame) -> [Record] { [] }

    public mutating func finish(endedTracks: inout [TrackRecord]) -> [Record] { [] }
}
