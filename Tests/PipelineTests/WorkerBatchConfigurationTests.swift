import Foundation
import Testing

@testable import Pipeline

/// `[workers] max_batch` and `[workers] live_backlog`: parsed, validated with errors naming the key, restart-only.
@Suite("Daemon configuration: [workers] max_batch and live_backlog")
struct WorkerBatchConfigurationTests {
    static let minimal = ConfigurationTests.minimal

    @Test("defaults: max_batch 1 (batching off), live_backlog 0.2 s")
    func defaults() throws {
        let c = try DaemonConfiguration.parse(Self.minimal)
        #expect(c.workers.maxBatch == 1)
        #expect(c.workers.liveBacklog == 0.2)
    }

    @Test("values in range are read")
    func values() throws {
        let c = try DaemonConfiguration.parse(Self.minimal + "\n[workers]\nmax_batch = 4\nlive_backlog = 0.08")
        #expect(c.workers.maxBatch == 4)
        #expect(c.workers.liveBacklog == 0.08)
        let integerSeconds = try DaemonConfiguration.parse(Self.minimal + "\n[workers]\nlive_backlog = 1\nmax_batch = 16")
        #expect(integerSeconds.workers.liveBacklog == 1 && integerSeconds.workers.maxBatch == 16)
    }

    @Test(
        "out of range or mistyped values are errors naming the key",
        arguments: [
            ("max_batch = 0", "<config>: workers.max_batch: must be between 1 and 16, got 0"),
            ("max_batch = 17", "<config>: workers.max_batch: must be between 1 and 16, got 17"),
            ("max_batch = \"4\"", "<config>: workers.max_batch: expected an integer, got string \"4\""),
            ("live_backlog = 0.001", "<config>: workers.live_backlog: must be between 0.01 and 60.0, got 0.001"),
            ("live_backlog = \"fast\"", "<config>: workers.live_backlog: expected a number, got string \"fast\""),
        ])
    func invalid(_ line: String, _ message: String) {
        do {
            _ = try DaemonConfiguration.parse(Self.minimal + "\n[workers]\n" + line)
            Issue.record("accepted: \(line)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("a reload keeps the running max_batch and live_backlog and names them")
    func restartOnly() throws {
        let old = try DaemonConfiguration.parse(Self.minimal + "\n[workers]\nmax_batch = 2")
        let new = try DaemonConfiguration.parse(Self.minimal + "\n[workers]\nmax_batch = 4\nlive_backlog = 0.5")
        let diff = ConfigurationDiff(old: old, new: new)
        #expect(diff.restartKeys == ["workers.max_batch", "workers.live_backlog"])
        #expect(diff.effective.workers.maxBatch == 2 && diff.effective.workers.liveBacklog == 0.2)
    }
}
