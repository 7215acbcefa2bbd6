// Sinks: where the daemon's records go.
//
// Overview
// - Records (`Record`: `FrameRecord`, `TrackRecord`, `StreamRecord`, `NoticeRecord`) are value types with a
//   documented JSON schema (`Record.schemaVersion`). `JSONLineEncoder` turns one into a `JSONLine`: the bytes
//   of one JSON object with sorted keys and a final `\n`, plus the `RecordMetadata` that subscribers filter on.
//   Encode once, hand the same line to every sink.
// - `Sink` is the protocol the pipeline writes to. Sinks never throw into the pipeline: failures are
//   counted and logged, and lines are kept for retry where that makes sense.
// - `JSONLinesFileSink` appends lines to a file with one `write(2)` per line on a dedicated I/O thread, rotates
//   by size or age, fsyncs on rotation, flush and close, reopens on SIGHUP, and buffers lines while the file
//   cannot be written.
// - `UnixSocketPublisher` serves the lines on a Unix domain socket (SwiftNIO) to subscribers that may filter
//   by stream, label, score and record kind; a subscriber that falls behind is disconnected, never waited for.
//
// Errors are `SinksError`; blocking file I/O never runs on Swift's cooperative pool.
