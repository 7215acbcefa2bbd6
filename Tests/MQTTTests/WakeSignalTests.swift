import Foundation
import Synchronization
import Testing

@testable import MQTT

/// The MQTT loop's wake-up pipe: a signal always reaches a thread that polls, however signals and drains interleave.
@Suite("WakeSignal: no signal is swallowed by a concurrent drain")
struct WakeSignalTests {
    @Test func signalMakesTheReadEndReadableUntilDrained() throws {
        let wake = try #require(WakeSignal())
        #expect(!wake.isReadable)
        wake.signal()
        wake.signal()
        #expect(wake.isReadable)
        wake.drain()
        #expect(!wake.isReadable)
        wake.signal()
        #expect(wake.isReadable)
    }

    /// One thread signals as fast as it can while another drains whenever the pipe is readable. Whatever the
    /// interleaving, the signal must stay armed: when both stop, either a byte is waiting or a new signal writes one.
    /// (Clearing the flag before reading let a drain swallow a fresh byte and leave the flag set over an empty pipe:
    /// every later signal was then a no-op, and the loop woke only at its 500 ms poll timeout.)
    @Test func concurrentSignalsAndDrainsNeverLeaveTheSignalDisarmed() throws {
        let wake = try #require(WakeSignal())
        let stop = StopFlag()
        let drainer = Thread {
            while !stop.value.load(ordering: .acquiring) {
                if wake.isReadable {
                    wake.drain()
                    stop.drains.add(1, ordering: .relaxed)
                }
            }
        }
        drainer.start()
        // Many drains, each racing the signals around it (a bounded loop: the drainer might not get a core).
        var signals = 0
        while stop.drains.load(ordering: .relaxed) < 50_000, signals < 50_000_000 {
            wake.signal()
            signals += 1
        }
        stop.value.store(true, ordering: .releasing)
        while !drainer.isFinished { usleep(1000) }
        if !wake.isReadable { wake.signal() }
        #expect(wake.isReadable)
    }
}

/// A flag shared with the drain thread.
private final class StopFlag: Sendable {
    let value = Atomic<Bool>(false)
    let drains = Atomic<Int>(0)
}
