import Foundation
import Sinks
import TestSupport
import Testing

@testable import Pipeline

@Suite("Reload: outputs follow the streams (per-stream files) and reopen when their settings change, losing no line")
struct OutputsReloadTests {
    static func config(_ dir: String, file: String, perStream: Bool, streams: [String]) throws -> DaemonConfiguration {
        var text = "[output.file]\npath = \"\(dir)/\(file)\"\nper_stream = \(perStream)\n"
        for name in streams { text += "[[streams]]\nname = \"\(name)\"\nurl = \"\(name).mp4\"\n" }
        return try DaemonConfiguration.parse(text)
    }

    static func line(_ text: String, stream: String) throws -> JSONLine {
        try JSONLineEncoder().encode(.stream(StreamRecord(stream: stream, state: .connected, time: 1, message: text)))
    }

    static func messages(_ path: String) -> [String] {
        DaemonHarnessLines.lines(path).compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["message"] as? String
        }
    }

    @Test("per_stream: an added stream gets its file, a removed stream's file is drained and closed")
    func perStreamFiles() async throws {
        let dir = ScratchDirectory.make("outputs-reload").path
        let old = try Self.config(dir, file: "", perStream: true, streams: ["a"])
        let outputs = try await Outputs.open(configuration: old, logger: Fakes.logger)
        let drains = Task { await outputs.run() }
        let new = try Self.config(dir, file: "", perStream: true, streams: ["a", "b"])
        try await outputs.addSlot(1, stream: "b", configuration: new, logger: Fakes.logger)
        #expect(outputs.files.map(\.configuration.path).sorted() == ["\(dir)/a.jsonl", "\(dir)/b.jsonl"])
        for queue in outputs.routing.queues(slot: 1) { _ = await queue.enqueue(try Self.line("b1", stream: "b")) }
        await outputs.removeSlot(1, logger: Fakes.logger)
        #expect(outputs.files.map(\.configuration.path) == ["\(dir)/a.jsonl"])
        #expect(Self.messages("\(dir)/b.jsonl") == ["b1"], "the removed stream's lines were written before its file closed")
        await outputs.drain(drains, within: 5, logger: Fakes.logger)
        await outputs.close(within: 5, logger: Fakes.logger)
    }

    @Test("a changed file path: the old file gets every line queued before, the new one every line after")
    func reopenedFile() async throws {
        let dir = ScratchDirectory.make("outputs-reload").path
        let old = try Self.config(dir, file: "one.jsonl", perStream: false, streams: ["a"])
        let outputs = try await Outputs.open(configuration: old, logger: Fakes.logger)
        let drains = Task { await outputs.run() }
        for i in 0..<100 {
            for queue in outputs.routing.queues(slot: 0) { _ = await queue.enqueue(try Self.line("\(i)", stream: "a")) }
        }
        let new = try Self.config(dir, file: "two.jsonl", perStream: false, streams: ["a"])
        let reopened = await outputs.reconfigure(from: old, to: new, slots: [0: "a"], logger: Fakes.logger)
        #expect(reopened == ["output.file"])
        for i in 100..<150 {
            for queue in outputs.routing.queues(slot: 0) { _ = await queue.enqueue(try Self.line("\(i)", stream: "a")) }
        }
        await outputs.drain(drains, within: 5, logger: Fakes.logger)
        await outputs.close(within: 5, logger: Fakes.logger)
        #expect(Self.messages("\(dir)/one.jsonl") == (0..<100).map(String.init))
        #expect(Self.messages("\(dir)/two.jsonl") == (100..<150).map(String.init))
    }
}

/// The complete lines of a file.
enum DaemonHarnessLines {
    static func lines(_ path: String) -> [String] {
        let text = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        return text.split(separator: "\n").map(String.init)
    }
}
