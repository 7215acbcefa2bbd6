import CMosquitto
import Logging
import Synchronization

/// libmosquitto's callbacks, all on the loop thread (inside `mosquitto_loop_read`, `_write` and `_misc`).
extension MQTTClient {
    /// The CONNACK arrived: 0 accepts the connection; anything else refuses it (libmosquitto then closes the socket
    /// and the loop retries after the back-off).
    func didReceiveConnack(_ code: Int32) {
        guard code == 0 else {
            // libmosquitto closes the socket next and reports it through `didDisconnect`, which logs this reason.
            loopState.refusal = "the broker refused the connection: \(MosquittoLibrary.describeConnack(code))"
            return
        }
        shared.withLock { $0.connected = true }
        let failures = loopState.failuresInRow
        loopState.failuresInRow = 0
        loopState.backoff.reset()
        loopState.justConnected = true
        events.accepted(self)
        logger.notice(
            "connected to the MQTT broker",
            metadata: ["broker": "\(options.connection.broker.redacted)", "failed_attempts": "\(failures)"])
    }

    /// The connection ended: `code` 0 after our DISCONNECT, otherwise why (connection lost, keep-alive timeout, a
    /// refused or failed connect).
    func didDisconnect(_ code: Int32) {
        let wasConnected = shared.withLock { state -> Bool in
            defer { state.connected = false }
            return state.connected
        }
        if code != MOSQ_ERR_SUCCESS.rawValue, wasConnected {
            logger.warning(
                "MQTT broker connection lost; reconnecting",
                metadata: ["broker": "\(options.connection.broker.redacted)", "reason": "\(MosquittoLibrary.describe(code))"])
        } else if code != MOSQ_ERR_SUCCESS.rawValue {
            connectionFailed(loopState.refusal ?? MosquittoLibrary.describe(code))
        }
        loopState.refusal = nil
        events.disconnected(code == MOSQ_ERR_SUCCESS.rawValue)
    }

    /// A connection attempt failed: the first of a series is a warning, the others are logged at debug level.
    func connectionFailed(_ reason: String) {
        loopState.failuresInRow += 1
        let metadata: Logger.Metadata = [
            "broker": "\(options.connection.broker.redacted)", "reason": "\(reason)", "attempt": "\(loopState.failuresInRow)",
        ]
        if loopState.failuresInRow == 1 {
            logger.warning("cannot connect to the MQTT broker; retrying with back-off (records are held meanwhile)", metadata: metadata)
        } else {
            logger.debug("cannot connect to the MQTT broker", metadata: metadata)
        }
    }

    /// After the CONNACK was handled and libmosquitto resent what was unacknowledged: the owner's `connected` event
    /// (availability, subscriptions, retained state).
    func connectedEvent() {
        events.connected(self)
    }

    /// The loop has ended: no connection any more.
    func markDisconnected() {
        shared.withLock { $0.connected = false }
    }

    /// Whether ``shutdown(within:)`` was called.
    var isStopRequested: Bool { shared.withLock { $0.stopRequested } }

    /// The descriptor the loop polls for wake-ups.
    var wakeDescriptor: Int32 { wake.readDescriptor }

    /// Empties the wake signal after `poll` saw it.
    func drainWake() { wake.drain() }
}
