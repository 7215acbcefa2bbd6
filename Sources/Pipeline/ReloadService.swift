import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP (`systemctl reload ssdd`) reopens the output files — logrotate's `postrotate` convention keeps working —
/// then reloads the configuration (``ReloadController``); SIGUSR1 only reopens the files. Signals are handled one at
/// a time: a SIGHUP that arrives during a reload waits for it (several coalesce into one). Registered before the
/// outputs, so it stops first at shutdown; a SIGHUP during shutdown is ignored (the controller sees the scheduler
/// stopping).
struct ReloadService: Service, CustomStringConvertible {
    let controller: ReloadController
    let outputs: Outputs
    let logger: Logger

    var description: String { "reload" }

    func run() async {
        await cancelWhenGracefulShutdown { [controller, outputs, logger] in
            for await signal in await UnixSignalsSequence(trapping: .sighup, .sigusr1) {
                logger.notice("\(signal): reopening output files")
                await outputs.reopen()
                if signal == .sighup { await controller.reload() }
            }
        }
    }
}
