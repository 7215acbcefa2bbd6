import CMosquitto
import Foundation
import Glibc

extension MQTTClient {
    /// How long the loop waits in `poll` when nothing happens: libmosquitto's keep-alive check runs this often.
    private static let idlePollMilliseconds: Int32 = 500

    /// The loop thread's body: connect, poll, read, write, keep alive, reconnect; until a requested stop is done.
    func runLoop() {
        var nextAttempt = ContinuousClock.now
        var disconnectSent = false
        var stopDeadline: ContinuousClock.Instant?
        while true {
            let stopping = isStopRequested
            if stopping, stopDeadline == nil { stopDeadline = .now + .seconds(2) }
            if let stopDeadline, ContinuousClock.now >= stopDeadline { break }
            let socket = mosquitto_socket(handle)
            if socket < 0 {
                if stopping { break }
                let now = ContinuousClock.now
                if now >= nextAttempt {
                    if !connect() { nextAttempt = now + .milliseconds(Int(loopState.backoff.nextDelay() * 1000)) }
                    continue
                }
                waitForWake(until: nextAttempt)
                continue
            }
            if stopping, !disconnectSent {
                disconnectSent = true
                if mosquitto_disconnect(handle) != MOSQ_ERR_SUCCESS.rawValue { break }
            }
            service(socket: socket)
            if loopState.justConnected {
                loopState.justConnected = false
                connectedEvent()
            }
            if !loopState.inbox.isEmpty {
                let inbox = loopState.inbox
                loopState.inbox = []
                for message in inbox { events.message(message.topic, message.payload, self) }
            }
            if mosquitto_socket(handle) < 0 {
                // The connection ended (libmosquitto closed the socket and called `didDisconnect`).
                nextAttempt = .now + .milliseconds(Int(loopState.backoff.nextDelay() * 1000))
            }
        }
        markDisconnected()
    }

    /// One poll of the socket and the wake signal, then libmosquitto reads, writes and checks the keep-alive.
    private func service(socket: Int32) {
        var events = Int16(POLLIN)
        if mosquitto_want_write(handle) { events |= Int16(POLLOUT) }
        var fds = [pollfd(fd: socket, events: events, revents: 0), pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        let ready = poll(&fds, 2, Self.idlePollMilliseconds)
        guard ready >= 0 || errno == EINTR else { return }
        if fds[1].revents != 0 { drainWake() }
        let revents = fds[0].revents
        // During a TLS handshake only `mosquitto_loop_read` advances it (libmosquitto's own loop calls the handshake
        // step directly when the socket is writable; `mosquitto_loop_write` does not): before the CONNACK, a writable
        // TLS socket gets a read call too (harmless otherwise: the read finds nothing and returns).
        let handshaking = options.connection.broker.usesTLS && !isConnected && revents & Int16(POLLOUT) != 0
        if revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 || handshaking {
            _ = mosquitto_loop_read(handle, 1)
        }
        if mosquitto_socket(handle) >= 0, revents & Int16(POLLOUT) != 0 || mosquitto_want_write(handle) {
            _ = mosquitto_loop_write(handle, 1)
        }
        if mosquitto_socket(handle) >= 0 { _ = mosquitto_loop_misc(handle) }
    }

    /// Starts a connection attempt (DNS lookup, non-blocking TCP connect, CONNECT queued); false if it failed at once.
    private func connect() -> Bool {
        let broker = options.connection.broker
        let rc =
            loopState.attempted
            ? mosquitto_reconnect_async(handle)
            : mosquitto_connect_async(handle, broker.host, Int32(broker.port), Int32(options.keepAlive))
        loopState.attempted = true
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            connectionFailed(MosquittoLibrary.describe(rc))
            return false
        }
        return true
    }

    /// Waits on the wake signal until `deadline` (or a stop request).
    private func waitForWake(until deadline: ContinuousClock.Instant) {
        let remaining = deadline - .now
        let remainingMilliseconds = Double(remaining.components.seconds) * 1000 + Double(remaining.components.attoseconds) / 1e15
        let milliseconds = Int32(max(1, min(Double(Self.idlePollMilliseconds), remainingMilliseconds.rounded(.up))))
        var fds = [pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        if poll(&fds, 1, milliseconds) > 0 { drainWake() }
    }
}
