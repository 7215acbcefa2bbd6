import Foundation
import Logging
import Sinks
import Synchronization
import Testing

/// The file sink against real files in a temporary directory.
@Suite struct JSONLinesFileSinkTests {
    static let logger = Logger(label: "SinksTests.file")

    /// A line `{"seq":…,"task":…,"pad":"xxx…"}` built with the real encoder's framing rules.
    static func line(task: Int, seq: Int, pad: Int = 40) -> JSONLine {
        let text = #"{"pad":"\#(String(repeating: "x", count: pad))","seq":\#(seq),"task":\#(task)}"# + "\n"
        return JSONLine(validating: Array(text.utf8), metadata: RecordMetadata(kind: .notice, stream: nil, labels: []))!
    }

    static func seqs(_ lines: [String]) throws -> [Int] {
        try lines.map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(object["seq"] as? Int)
        }
    }

    @Test func concurrentWritersKeepEveryLineIntactAndInOrder() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("out.jsonl")
        let sink = try JSONLinesFileSink(configuration: FileSinkConfiguration(path: path), logger: Self.logger)
        let tasks = 8, perTask = 250
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for seq in 0..<perTask { await sink.write(Self.line(task: task, seq: seq, pad: (seq * 7) % 300)) }
                }
            }
        }
        await sink.close()
        let lines = try TemporaryDirectory.lines(of: path)
        #expect(lines.count == tasks * perTask)
        var perTaskSeqs: [Int: [Int]] = [:]
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "broken line: \(line)")
            perTaskSeqs[object["task"] as! Int, default: []].append(object["seq"] as! Int)
        }
        for task in 0..<tasks { #expect(perTaskSeqs[task] == Array(0..<perTask), "task \(task)") }
        #expect(sink.statistics.linesWritten == tasks * perTask)
        #expect(sink.statistics.failures == 0)
    }

    @Test func sizeRotationKeepsEveryLineExactlyOnceInWholeLines() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("out.jsonl")
        let configuration = FileSinkConfiguration(path: path, maxFileBytes: 4096, keepRotatedFiles: 1000)
        let sink = try JSONLinesFileSink(configuration: configuration, logger: Self.logger)
        for seq in 0..<600 { await sink.write(Self.line(task: 0, seq: seq, pad: seq % 90)) }
        await sink.close()
        let rotations = sink.statistics.rotations
        #expect(rotations > 5)
        var all: [String] = []
        for index in stride(from: rotations, through: 1, by: -1) {
            let rotated = "\(path).\(index)"
            let size = try #require(try FileManager.default.attributesOfItem(atPath: rotated)[.size] as? Int)
            #expect(size <= 4096, "\(rotated) has \(size) bytes")
            all += try TemporaryDirectory.lines(of: rotated)
        }
        all += try TemporaryDirectory.lines(of: path)
        #expect(try Self.seqs(all) == Array(0..<600))
        #expect(!FileManager.default.fileExists(atPath: "\(path).\(rotations + 1)"))
    }

    @Test func timeRotationUsesTheInjectedClock() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("out.jsonl")
        let clock = Mutex(ContinuousClock.now)
        let configuration = FileSinkConfiguration(path: path, maxFileBytes: nil, rotationInterval: .seconds(10), keepRotatedFiles: 2)
        let sink = try JSONLinesFileSink(configuration: configuration, logger: Self.logger, now: { clock.withLock { $0 } })
        for seq in 0..<3 { await sink.write(Self.line(task: 0, seq: seq)) }
        clock.withLock { $0 += .seconds(11) }
        for seq in 3..<5 { await sink.write(Self.line(task: 0, seq: seq)) }
        clock.withLock { $0 += .seconds(11) }
        await sink.write(Self.line(task: 0, seq: 5))
        clock.withLock { $0 += .seconds(11) }
        await sink.write(Self.line(task: 0, seq: 6))
        await sink.close()
        // keepRotatedFiles 2: the first file (0...2) was overwritten by the third rotation.
        #expect(try Self.seqs(TemporaryDirectory.lines(of: "\(path).2")) == [3, 4])
        #expect(try Self.seqs(TemporaryDirectory.lines(of: "\(path).1")) == [5])
        #expect(try Self.seqs(TemporaryDirectory.lines(of: path)) == [6])
        #expect(sink.statistics.rotations == 3)
    }

    @Test func reopenAfterLogrotateRenameWritesANewFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("out.jsonl")
        let sink = try JSONLinesFileSink(configuration: FileSinkConfiguration(path: path), logger: Self.logger)
        for seq in 0..<5 { await sink.write(Self.line(task: 0, seq: seq)) }
        try FileManager.default.moveItem(atPath: path, toPath: path + ".old")
        for seq in 5..<7 { await sink.write(Self.line(task: 0, seq: seq)) }
        await sink.reopen()
        for seq in 7..<10 { await sink.write(Self.line(task: 0, seq: seq)) }
        await sink.close()
        #expect(try Self.seqs(TemporaryDirectory.lines(of: path + ".old")) == Array(0..<7))
        #expect(try Self.seqs(TemporaryDirectory.lines(of: path)) == Array(7..<10))
    }

    @Test func failedWritesAreReportedKeptAndLandOnceThePathWorks() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // The parent is a regular file: open fails with ENOTDIR, even for root.
        let blocker = directory.file("logs")
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: blocker))
        let path = blocker + "/out.jsonl"
        let sink = try JSONLinesFileSink(configuration: FileSinkConfiguration(path: path), logger: Self.logger)
        for seq in 0..<3 { await sink.write(Self.line(task: 0, seq: seq)) }
        var statistics = sink.statistics
        #expect(statistics.isFailing)
        #expect(statistics.failures == 3)
        #expect(statistics.pendingLines == 3)
        #expect(statistics.linesWritten == 0)

        try FileManager.default.removeItem(atPath: blocker)
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
        await sink.retryPending()
        await sink.write(Self.line(task: 0, seq: 3))
        await sink.close()
        statistics = sink.statistics
        #expect(!statistics.isFailing)
        #expect(statistics.pendingLines == 0)
        #expect(statistics.linesDropped == 0)
        #expect(try Self.seqs(TemporaryDirectory.lines(of: path)) == [0, 1, 2, 3])
    }

    @Test func directoryRemovedMidRunIsNoticedAndRetried() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let subdirectory = directory.file("logs")
        try FileManager.default.createDirectory(atPath: subdirectory, withIntermediateDirectories: false)
        let path = subdirectory + "/out.jsonl"
        let sink = try JSONLinesFileSink(configuration: FileSinkConfiguration(path: path), logger: Self.logger)
        for seq in 0..<2 { await sink.write(Self.line(task: 0, seq: seq)) }
        try FileManager.default.removeItem(atPath: subdirectory)
        for seq in 2..<4 { await sink.write(Self.line(task: 0, seq: seq)) }
        #expect(sink.statistics.isFailing)
        #expect(sink.statistics.pendingLines == 2)
        try FileManager.default.createDirectory(atPath: subdirectory, withIntermediateDirectories: false)
        await sink.write(Self.line(task: 0, seq: 4))
        await sink.close()
        #expect(try Self.seqs(TemporaryDirectory.lines(of: path)) == [2, 3, 4])
    }

    @Test func retryBufferOverflowDropsTheOldestAndCountsThem() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let blocker = directory.file("logs")
        try Data().write(to: URL(fileURLWithPath: blocker))
        let path = blocker + "/out.jsonl"
        let sink = try JSONLinesFileSink(configuration: FileSinkConfiguration(path: path, retryBufferLines: 5), logger: Self.logger)
        for seq in 0..<8 { await sink.write(Self.line(task: 0, seq: seq)) }
        #expect(sink.statistics.linesDropped == 3)
        #expect(sink.statistics.pendingLines == 5)
        try FileManager.default.removeItem(atPath: blocker)
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
        await sink.flush()
        await sink.close()
        #expect(try Self.seqs(TemporaryDirectory.lines(of: path)) == Array(3..<8))
    }

    @Test func invalidConfigurationNamesTheKey() {
        #expect(throws: SinksError.self) {
            try JSONLinesFileSink(configuration: FileSinkConfiguration(path: "/tmp/x", keepRotatedFiles: 0), logger: Self.logger)
        }
        let error = #expect(throws: SinksError.self) { try FileSinkConfiguration(path: "/tmp/x", maxFileBytes: 0).validate() }
        #expect(error?.description == "invalid sink configuration: sinks.file.maxFileBytes must be a positive byte count, got 0")
    }

    @Test func filesAreCreatedWithTheConfiguredModeWhateverTheUmask() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let previous = umask(0)
        defer { umask(previous) }
        for mode: UInt32 in [0o640, 0o600] {
            let path = directory.file("m\(mode).jsonl")
            let sink = try JSONLinesFileSink(configuration: FileSinkConfiguration(path: path, fileMode: mode), logger: Self.logger)
            try await sink.open()
            await sink.close()
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.uint32Value == mode)
        }
        #expect(FileSinkConfiguration(path: "/x").fileMode == 0o640, "not readable by other users by default")
    }

    @Test func aFIFOOrDirectoryAtThePathIsRefusedWithoutBlocking() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fifo = directory.file("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let sink = try JSONLinesFileSink(configuration: FileSinkConfiguration(path: fifo), logger: Self.logger)
        let error = await #expect(throws: SinksError.self) { try await sink.open() }
        #expect(error?.description.hasPrefix("\(fifo) is a FIFO or device, not a regular file") == true, "\(String(describing: error))")
        await sink.close()
        let folder = try JSONLinesFileSink(configuration: FileSinkConfiguration(path: directory.path), logger: Self.logger)
        let folderError = await #expect(throws: SinksError.self) { try await folder.open() }
        #expect(
            folderError?.description.hasPrefix("\(directory.path) is a directory, not a regular file") == true, "\(String(describing: folderError))")
        await folder.close()
    }
}
