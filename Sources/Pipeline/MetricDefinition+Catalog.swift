/// Every metric ssdd exports (the README's metrics section lists the same names).
extension MetricDefinition {
    // MARK: Per stream (label `stream`, the configured stream name)

    /// Frames accepted from the source.
    static let framesDecoded = MetricDefinition(
        "ssdd_frames_decoded_total", .counter, labels: ["stream"], help: "Frames accepted from the source.")
    /// Frames run through the detector.
    static let framesInferred = MetricDefinition(
        "ssdd_frames_inferred_total", .counter, labels: ["stream"], help: "Frames run through the detector.")
    /// Frames the motion gate held back from the detector (streams with `motion = true`).
    static let framesGated = MetricDefinition(
        "ssdd_frames_gated_total", .counter, labels: ["stream"],
        help: "Frames not inferred because the motion gate saw no motion (they reuse the last detections).")
    /// Frames dropped because inference fell behind (live sources only).
    static let framesDropped = MetricDefinition(
        "ssdd_frames_dropped_total", .counter, labels: ["stream"],
        help: "Frames dropped because inference fell behind (live sources only).")
    /// Frame records handed to the outputs.
    static let framesWritten = MetricDefinition(
        "ssdd_frames_written_total", .counter, labels: ["stream"], help: "Frame records delivered to the outputs.")
    /// Reconnect attempts of the source.
    static let reconnects = MetricDefinition("ssdd_reconnects_total", .counter, labels: ["stream"], help: "Reconnect attempts.")
    /// 1 while the source is connected.
    static let streamUp = MetricDefinition("ssdd_stream_up", .gauge, labels: ["stream"], help: "1 while the source is connected.")
    /// Frames waiting for an inference worker (sampled at scrape time).
    static let queueWaitingFrames = MetricDefinition(
        "ssdd_queue_waiting_frames", .gauge, labels: ["stream"], help: "Frames waiting for an inference worker.")
    /// Frames accepted and not yet written (sampled at scrape time).
    static let queuePendingFrames = MetricDefinition(
        "ssdd_queue_pending_frames", .gauge, labels: ["stream"], help: "Frames accepted and not yet written.")

    // MARK: HTTP API (`[http]`)

    /// WebSocket feed clients connected now (sampled at scrape time).
    static let httpFeedClients = MetricDefinition(
        "ssdd_http_feed_clients", .gauge, help: "WebSocket feed clients (GET /api/v1/feed) connected now.")

    // MARK: Zones and lines (streams with `[[streams.zones]]` or `[[streams.lines]]`)

    /// Zone events by kind.
    static let zoneEvents = MetricDefinition(
        "ssdd_zone_events_total", .counter, labels: ["stream", "zone", "event"],
        help: "Zone events (enter, exit, loiter) of confirmed tracks.")
    /// Line crossings by direction.
    static let lineCrossings = MetricDefinition(
        "ssdd_line_crossings_total", .counter, labels: ["stream", "line", "direction"],
        help: "Line crossings (cross events) of confirmed tracks, by direction (in, out).")
    /// Confirmed tracks in a zone now, per label.
    static let zoneOccupancy = MetricDefinition(
        "ssdd_zone_occupancy", .gauge, labels: ["stream", "zone", "label"], help: "Confirmed tracks inside the zone now, per label.")

    // MARK: Latency histograms (all streams together)

    /// Upper bounds of the latency histograms, in seconds: 2 ms to 5 s.
    static let latencyBuckets: [Duration] = [
        .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(30), .milliseconds(40), .milliseconds(50),
        .milliseconds(75), .milliseconds(100), .milliseconds(200), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5),
    ]
    /// Detector time per frame.
    static let inferenceSeconds = MetricDefinition(
        "ssdd_inference_seconds", .histogram(buckets: latencyBuckets),
        help: "Detector time per frame (preprocess, network, post-processing).")
    /// Decoded frame to its line handed to the outputs.
    static let endToEndSeconds = MetricDefinition(
        "ssdd_end_to_end_seconds", .histogram(buckets: latencyBuckets),
        help: "Latency from decoded frame to its line handed to the outputs.")

    // MARK: Outputs (label `output`: `file:PATH` or `socket:PATH`)

    /// 1 while the output keeps up.
    static let outputUp = MetricDefinition(
        "ssdd_output_up", .gauge, labels: ["output"], help: "1 while the output keeps up (not dropping, not stalled, not failing).")
    /// Lines waiting in the output's queue.
    static let outputQueuedLines = MetricDefinition(
        "ssdd_output_queued_lines", .gauge, labels: ["output"], help: "Lines waiting in the output's queue.")
    /// Lines handed to the output.
    static let outputLines = MetricDefinition(
        "ssdd_output_lines_total", .counter, labels: ["output"], help: "Lines handed to the output.")
    /// Lines dropped because the output's queue was full.
    static let outputLinesDropped = MetricDefinition(
        "ssdd_output_lines_dropped_total", .counter, labels: ["output"], help: "Lines dropped because the output's queue was full.")

    // MARK: Broker outputs (label `output`: `mqtt:URL` or `kafka:TOPIC`), from the peer's acknowledgements

    /// Records the broker acknowledged.
    static let outputRecordsDelivered = MetricDefinition(
        "ssdd_output_records_total", .counter, labels: ["output"], help: "Records the output's broker acknowledged.")
    /// Records the broker refused or that timed out.
    static let outputRecordFailures = MetricDefinition(
        "ssdd_output_record_failures_total", .counter, labels: ["output"],
        help: "Records the output's broker refused or that timed out after retries.")
    /// Records dropped by the output's own buffer while the broker was away.
    static let outputRecordsDropped = MetricDefinition(
        "ssdd_output_records_dropped_total", .counter, labels: ["output"],
        help: "Records dropped because the output's buffer was full while the broker was away, or left at shutdown.")
    /// Records accepted and not yet acknowledged.
    static let outputRecordsInFlight = MetricDefinition(
        "ssdd_output_records_in_flight", .gauge, labels: ["output"], help: "Records accepted by the output and not yet acknowledged.")
    /// 1 while connected to the broker.
    static let outputConnected = MetricDefinition(
        "ssdd_output_connected", .gauge, labels: ["output"], help: "1 while the output is connected to its broker.")

    // MARK: File outputs (label `path`, the file's configured path)

    /// Lines written to the file.
    static let fileLinesWritten = MetricDefinition(
        "ssdd_file_lines_written_total", .counter, labels: ["path"], help: "Lines written to the file output.")
    /// Bytes written to the file.
    static let fileWrittenBytes = MetricDefinition(
        "ssdd_file_written_bytes_total", .counter, labels: ["path"], help: "Bytes written to the file output.")
    /// Failed attempts to open, write or rotate.
    static let fileWriteFailures = MetricDefinition(
        "ssdd_file_write_failures_total", .counter, labels: ["path"],
        help: "Failed attempts to open, write or rotate the file output (each retry counts).")
    /// Lines held for retry.
    static let fileLinesPending = MetricDefinition(
        "ssdd_file_lines_pending", .gauge, labels: ["path"], help: "Lines held for retry after failed writes.")
    /// Lines dropped by the file sink.
    static let fileLinesDropped = MetricDefinition(
        "ssdd_file_lines_dropped_total", .counter, labels: ["path"],
        help: "Lines dropped because the retry buffer overflowed or the file was closed with lines pending.")
    /// Completed rotations.
    static let fileRotations = MetricDefinition(
        "ssdd_file_rotations_total", .counter, labels: ["path"], help: "Completed rotations of the file output.")

    // MARK: Snapshots (label `stream`)

    /// Snapshot pictures written (a track's picture and crop count once).
    static let snapshotsWritten = MetricDefinition(
        "ssdd_snapshots_written_total", .counter, labels: ["stream"], help: "Snapshot pictures written (a track picture with its crop counts once).")
    /// Snapshot pictures that failed to encode or write.
    static let snapshotsFailed = MetricDefinition(
        "ssdd_snapshots_failed_total", .counter, labels: ["stream"], help: "Snapshot pictures that could not be encoded or written.")
    /// Snapshot pictures dropped because the writer's queue was full.
    static let snapshotsDropped = MetricDefinition(
        "ssdd_snapshots_dropped_total", .counter, labels: ["stream"],
        help: "Snapshot pictures dropped because the writer's queue was full (a waiting latest.jpg replaced counts too).")

    // MARK: Unix-socket publisher

    /// Connected subscribers.
    static let subscribers = MetricDefinition("ssdd_subscribers", .gauge, help: "Connected Unix-socket subscribers.")
    /// Subscribers disconnected for reading too slowly.
    static let subscribersDisconnectedSlow = MetricDefinition(
        "ssdd_subscribers_disconnected_slow_total", .counter, help: "Subscribers disconnected for reading too slowly.")

    // MARK: Build and process

    /// Always 1; the labels carry the version.
    static let buildInfo = MetricDefinition(
        "ssdd_build_info", .gauge, labels: ["version", "swift"], help: "Always 1; labelled with the ssdd version and the Swift compiler.")
    /// Resident set size.
    static let residentMemory = MetricDefinition(
        "process_resident_memory_bytes", .gauge, help: "Resident memory size in bytes.")
    /// Virtual memory size.
    static let virtualMemory = MetricDefinition("process_virtual_memory_bytes", .gauge, help: "Virtual memory size in bytes.")
    /// Open file descriptors.
    static let openDescriptors = MetricDefinition("process_open_fds", .gauge, help: "Number of open file descriptors.")
    /// The soft limit on open descriptors.
    static let maxDescriptors = MetricDefinition("process_max_fds", .gauge, help: "Maximum number of open file descriptors.")
    /// User and system CPU time.
    static let cpuSeconds = MetricDefinition(
        "process_cpu_seconds_total", .counter, help: "Total user and system CPU time spent in seconds.")
    /// Start time since the Unix epoch.
    static let startTime = MetricDefinition(
        "process_start_time_seconds", .gauge, help: "Start time of the process since unix epoch in seconds.")

    /// Every definition above, by name.
    static let catalog: [String: MetricDefinition] = Dictionary(
        uniqueKeysWithValues: [
            framesDecoded, framesInferred, framesDropped, framesWritten, reconnects, streamUp, queueWaitingFrames,
            queuePendingFrames, zoneEvents, lineCrossings, zoneOccupancy, inferenceSeconds, endToEndSeconds, outputUp, outputQueuedLines, outputLines,
            outputLinesDropped, outputRecordsDelivered, outputRecordFailures, outputRecordsDropped, outputRecordsInFlight,
            outputConnected, fileLinesWritten, fileWrittenBytes, fileWriteFailures, fileLinesPending, fileLinesDropped,
            fileRotations, subscribers, subscribersDisconnectedSlow, buildInfo, residentMemory, virtualMemory,
            openDescriptors, maxDescriptors, cpuSeconds, startTime, snapshotsWritten, snapshotsFailed, snapshotsDropped, httpFeedClients,
            configReloads, configLastReloadSuccessful, configLastReloadSuccessTimestamp,
            framesGated,
        ].map { ($0.name, $0) })
}
