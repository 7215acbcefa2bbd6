import Foundation
import Sinks
import Testing

@testable import Pipeline

@Suite("Output queue overflow policies and the descriptor sink (ssdd detect's output)")
struct OutputPolicyTests {
    static func line(_ i: Int) throws -> JSONLine { try JSONLineEncoder().encode(.notice(NoticeRecord(reason: "line \(i)"))) }

    /// Hands 10 lines to a queue of capacity 2 whose sink is blocked until every line was handed over (or waits).
    static func run(policy: OverflowPolicy) async throws -> (sink: FakeSink, queue: OutputQueue, accepted: [Bool]) {
        let gate = Signal()
        let sink = FakeSink(gate: gate)
        let queue = OutputQueue(name: "fake", sink: sink, capacity: 2, overflowPolicy: policy, logger: Fakes.logger)
        let lines = try (0..<10).map(Self.line)
        let accepted = await withTaskGroup(of: [Bool].self, returning: [Bool].self) { group in
            group.addTask {
                await queue.run()
                return []
            }
            group.addTask {
                var accepted: [Bool] = []
                for (i, line) in lines.enumerated() {
                    // With `.wait`, the sink is let go once the queue is full, so the producer's waits end.
                    if i == 2 { gate.fire() }
                    accepted.append(await queue.enqueue(line))
                }
                queue.finish()
                return accepted
            }
            var result: [Bool] = []
            for await part in group where !part.isEmpty { result = part }
            return result
        }
        return (sink, queue, accepted)
    }

    @Test("wait: a full queue makes the producer wait; every line is written, in order, none dropped")
    func waitNeverDrops() async throws {
        let (sink, queue, accepted) = try await Self.run(policy: .wait)
        #expect(accepted == Array(repeating: true, count: 10))
        #expect(sink.objects.compactMap { $0["reason"] as? String } == (0..<10).map { "line \($0)" })
        #expect(queue.statistics.dropped == 0)
    }

    @Test("dropNewest: a full queue drops the new line at once (the daemon's policy)")
    func dropNewestDrops() async throws {
        let gate = Signal()
        let sink = FakeSink(gate: gate)
        let queue = OutputQueue(name: "fake", sink: sink, capacity: 2, logger: Fakes.logger)
        var accepted: [Bool] = []
        for i in 0..<5 { accepted.append(await queue.enqueue(try Self.line(i))) }
        #expect(accepted == [true, true, false, false, false])
        #expect(queue.statistics.dropped == 3)
        gate.fire()
        queue.finish()
        await queue.run()
        #expect(sink.objects.compactMap { $0["reason"] as? String } == ["line 0", "line 1"])
    }

    @Test("the descriptor sink writes whole lines, in order, to the file it created")
    func descriptorSinkWritesFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ssdd-descriptor-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data("old contents\n".utf8)))
        let sink = try DescriptorSink.creatingFile(path)
        let lines = try (0..<3).map(Self.line)
        await sink.write(contentsOf: Array(lines[0..<2]))
        await sink.write(lines[2])
        await sink.close()
        #expect(sink.failure == nil)
        #expect(sink.linesWritten == 3)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(lines.flatMap(\.bytes)))
    }

    @Test("a failed write is kept as the sink's failure, naming the output; later lines are counted, not written")
    func descriptorSinkFailure() async throws {
        let sink = try DescriptorSink.creatingFile("/dev/full")
        await sink.write(try Self.line(0))
        await sink.write(try Self.line(1))
        await sink.close()
        #expect(sink.failure == "/dev/full: write failed: \(String(cString: strerror(ENOSPC)))")
        #expect(sink.linesWritten == 0)
        #expect(sink.linesNotWritten == 2)
    }

    @Test("a path that cannot be opened fails with the call, the path and the reason")
    func descriptorSinkOpenFailure() throws {
        #expect(throws: SinksError.self) { try DescriptorSink.creatingFile("/nonexistent/dir/out.jsonl") }
        do {
            _ = try DescriptorSink.creatingFile("/nonexistent/dir/out.jsonl")
            Issue.record("no error")
        } catch {
            #expect("\(error)" == "open(/nonexistent/dir/out.jsonl) failed: \(String(cString: strerror(ENOENT))) (errno \(ENOENT))")
        }
    }
}
