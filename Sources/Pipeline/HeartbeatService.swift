import Foundation
import ServiceLifecycle

/// systemd's watchdog pings (`WATCHDOG=1`, at half `WATCHDOG_USEC`) and a `STATUS=` line with the frame rate, from a
/// task that only sleeps. Registered first, so it is shut down last and keeps the watchdog fed while the pipeline
/// drains.
struct HeartbeatService: Service, CustomStringConvertible {
    let notifier: SystemdNotifier
    let metrics: PipelineMetrics
    /// Called once when the service starts: the group has installed its signal handlers by then, so a SIGTERM sent
    /// as soon as `READY=1` is seen shuts the daemon down gracefully.
    var onStart: @Sendable () -> Void = {}

    var description: String { "heartbeat" }

    func run() async {
        onStart()
        await cancelWhenGracefulShutdown { [notifier, metrics] in await Self.beat(notifier: notifier, metrics: metrics) }
    }

    private static func beat(notifier: SystemdNotifier, metrics: PipelineMetrics) async {
        let interval = notifier.watchdogInterval.map { $0 / 2 } ?? .seconds(5)
        var lastWritten = metrics.writtenCounts.reduce(0, +)
        var last = ContinuousClock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: min(interval, .seconds(5))) } catch { return }
            let written = metrics.writtenCounts.reduce(0, +)
            let elapsed = ContinuousClock.now - last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = Double(written - lastWritten) / max(seconds, 1e-3)
            lastWritten = written
            last = .now
            var message = String(format: "STATUS=%d streams, %.1f frames/s, %d frames written", metrics.streamNames.count, rate, written)
            if notifier.watchdogInterval != nil { message = "WATCHDOG=1\n" + message }
            notifier.notify(message)
        }
    }
}
