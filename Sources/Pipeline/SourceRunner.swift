import Foundation
import Logging
import MediaIO
import Sinks

/// Reads one stream on its own thread: opens the input, hands frames to the scheduler, and for live sources
/// reconnects with exponential back-off (initial delay doubling up to the maximum) after errors, stalls (no frame
/// within `stall_timeout`) or the end of the stream. Files are read once and never dropped; with `loop` a file starts
/// again at its end (frame numbers continue, no `stream` records for the wrap) and with `realtime` its frames are handed
/// on when their timestamps are due (``MediaIO/RealtimePacer``). With `motion = true` each frame passes the stream's
/// ``MotionGate`` before it is queued: a frame without motion is queued as gated (no worker runs it).
struct SourceRunner: FrameSource {
    let index: Int
    let configuration: StreamConfiguration
    /// The network input size, used for `resize = "fast"` (swscale scales while converting to RGB).
    let networkInputSize: (width: Int, height: Int)
    let scheduler: FrameScheduler
    let metrics: PipelineMetrics
    let logger: Logger
    /// Frames up to and including this index were written before a restart: a file skips them, a live stream
    /// numbers its frames after it. -1 starts from the beginning.
    var resumeAfter = -1
    /// Where `ssdd detect` collects the input's failure and warnings; nil in the daemon (it logs them).
    var report: StreamReport?

    var stream: Int { index }
    var threadName: String { "ssdd-source-\(configuration.name)" }

    func run() {
        var delay = configuration.reconnectInitial
        // A looping file never completes: like a live stream it numbers its frames after its resume point.
        let continuesNumbering = configuration.live || configuration.loop
        var frameOffset = continuesNumbering ? resumeAfter + 1 : 0
        let skipThrough = continuesNumbering ? -1 : resumeAfter
        var pacer = RealtimePacer()
        var timeline = LoopTimeline()
        var rewinding = false
        var motion = MotionGating(settings: configuration.motion)
        if skipThrough >= 0 {
            logger.notice("resuming after frame \(skipThrough)", metadata: ["stream": "\(configuration.name)"])
        }
        var attempt = 0
        while !scheduler.isStopping(stream: index) {
            attempt += 1
            var decodedThisConnection = 0
            do {
                let options = VideoReaderOptions(
                    timeout: configuration.stallTimeout, decoderThreads: configuration.decoderThreads,
                    outputSize: configuration.resize == .fast ? networkInputSize : nil,
                    selection: FrameSelection(everyNth: configuration.everyNth, maxFramesPerSecond: configuration.maxFramesPerSecond))
                // Registered before the open, so a stop interrupts an open that is still waiting for its input.
                let canceller = ReadCanceller()
                scheduler.register(stream: index, reader: canceller)
                let reader = try VideoReader(input: configuration.url, options: options, canceller: canceller)
                report?.opened(declaredFrameCount: reader.info.declaredFrameCount)
                if !rewinding {
                    scheduler.post(
                        stream: index,
                        state: StreamStateChange(state: .connected, message: "\(reader.info.codec) \(reader.info.width)x\(reader.info.height)"))
                    logger.info("stream connected", metadata: ["stream": "\(configuration.name)", "codec": "\(reader.info.codec)"])
                }
                metrics.setUp(stream: index, true)
                // A new connection (or a new pass of a looping file) starts without a reference: its first frame is
                // inferred.
                motion.reset()
                delay = configuration.reconnectInitial
                defer { frameOffset += reader.decodedFrameCount }
                var stopped = false
                readLoop: while let decoded = try reader.nextFrame() {
                    let frame = configuration.loop ? timeline.place(decoded) : decoded
                    decodedThisConnection += 1
                    if frameOffset + frame.index <= skipThrough { continue }
                    if configuration.realtime {
                        let delay = pacer.delay(pts: frame.presentationTime, now: Self.clock())
                        if scheduler.waitForStop(stream: index, seconds: delay) {
                            stopped = true
                            break readLoop
                        }
                    }
                    metrics.decoded(stream: index)
                    let gated = motion.gates(frame, stream: index, scheduler: scheduler, now: Self.clock)
                    switch scheduler.accept(stream: index, frame: frame, frameIndex: frameOffset + frame.index, gated: gated) {
                    case .accepted, .dropped: continue
                    case .stopped:
                        stopped = true
                        break readLoop
                    }
                }
                scheduler.register(stream: index, reader: nil)
                metrics.setUp(stream: index, false)
                for warning in reader.warnings { logger.warning("\(warning)", metadata: ["stream": "\(configuration.name)"]) }
                report?.warned(reader.warnings)
                if stopped || scheduler.isStopping(stream: index) { break }
                rewinding = configuration.loop && FilePass(framesYielded: decodedThisConnection).startsAgain
                if rewinding {
                    timeline.startPass()
                    continue
                }
                if !configuration.live {
                    let message = configuration.loop ? FilePass.emptyPassMessage : "end of file after \(reader.decodedFrameCount) frames"
                    scheduler.post(stream: index, state: StreamStateChange(state: .ended, message: message))
                    scheduler.finish(stream: index, complete: !configuration.loop)
                    return
                }
                scheduler.post(stream: index, state: StreamStateChange(state: .lost, message: "the stream ended"))
            } catch {
                scheduler.register(stream: index, reader: nil)
                metrics.setUp(stream: index, false)
                if scheduler.isStopping(stream: index) { break }
                // The error names the URL: its password goes into no log line and no record.
                let reason = URLRedaction.redactingURLs(in: "\(error)")
                logger.error("stream failed: \(reason)", metadata: ["stream": "\(configuration.name)"])
                report?.failed(reason)
                if !configuration.live {
                    scheduler.post(stream: index, state: StreamStateChange(state: .ended, message: reason))
                    scheduler.finish(stream: index)
                    return
                }
                scheduler.post(stream: index, state: StreamStateChange(state: .lost, message: reason))
            }
            if decodedThisConnection > 0 { delay = configuration.reconnectInitial }
            scheduler.post(
                stream: index, state: StreamStateChange(state: .reconnecting, message: String(format: "attempt %d in %.1f s", attempt + 1, delay)))
            metrics.reconnecting(stream: index)
            if scheduler.waitForStop(stream: index, seconds: delay) { break }
            delay = min(delay * 2, configuration.reconnectMax)
        }
        scheduler.post(stream: index, state: scheduler.endingChange(stream: index))
        scheduler.finish(stream: index)
    }

    /// Seconds on the monotonic clock, for the realtime pacer.
    private static func clock() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
