import Foundation
import Sinks
import Testing

@testable import Pipeline

/// The `process_*` metrics: read from `/proc` at scrape time, and parsed without trusting the text.
@Suite struct ProcessMetricsTests {
    static let stat =
        "4242 (ssdd) S 1 4242 4242 0 -1 4194560 1500 0 0 0 250 50 0 0 20 0 9 0 12345 1073741824 5000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"

    @Test func aWellFormedStatLineGivesEveryField() {
        let parsed = ProcessStatistics.parse(stat: Self.stat, bootTime: 1_700_000_000, clockTicksPerSecond: 100, pageSize: 4096)
        #expect(
            parsed
                == ProcessStatistics(
                    residentMemoryBytes: 5000 * 4096, virtualMemoryBytes: 1_073_741_824, cpuSeconds: 3, startTimeSeconds: 1_700_000_123.45))
    }

    @Test func aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        let stat = Self.stat.replacingOccurrences(of: "(ssdd)", with: "(a) (b c) ))")
        let parsed = ProcessStatistics.parse(stat: stat, bootTime: 1_700_000_000, clockTicksPerSecond: 100, pageSize: 4096)
        #expect(parsed.cpuSeconds == 3)
        #expect(parsed.residentMemoryBytes == 5000 * 4096)
    }

    @Test(arguments: [
        "", "no parenthesis at all", "1 (x) S", "1 (x) S 1 2 3 4 5 6 7 8 9 10", String(repeating: ")", count: 5000),
        "1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc def 0 0 20 0 1 0 xyz -5 -5",
    ])
    func oddContentGivesNoValues(stat: String) {
        #expect(ProcessStatistics.parse(stat: stat, bootTime: 1, clockTicksPerSecond: 100, pageSize: 4096) == ProcessStatistics())
    }

    @Test func eachInvalidFieldIsDroppedAloneAndOverflowIsNotATrap() {
        func parse(_ replacements: [Int: String], ticks: Int = 100, page: Int = 4096, boot: Int? = 10) -> ProcessStatistics {
            var fields = Self.stat.split(separator: ")")[1].split(separator: " ").map(String.init)
            for (field, text) in replacements { fields[field - 3] = text }
            return ProcessStatistics.parse(
                stat: "1 (x)" + " " + fields.joined(separator: " "), bootTime: boot, clockTicksPerSecond: ticks, pageSize: page)
        }
        let max = String(Int.max)
        #expect(parse([14: max, 15: "1"]).cpuSeconds == nil)
        #expect(parse([14: max, 15: "1"]).residentMemoryBytes == 5000 * 4096)
        #expect(parse([24: max]).residentMemoryBytes == nil)
        #expect(parse([24: "-3"]).residentMemoryBytes == nil)
        #expect(parse([23: "18446744073709551616"]).virtualMemoryBytes == nil)
        #expect(parse([23: "18446744073709551616"]).cpuSeconds == 3)
        #expect(parse([22: "1e5"]).startTimeSeconds == nil)
        #expect(parse([:], ticks: 0) == ProcessStatistics(residentMemoryBytes: 5000 * 4096, virtualMemoryBytes: 1_073_741_824))
        #expect(parse([:], page: -1).residentMemoryBytes == nil)
        #expect(parse([:], boot: nil).startTimeSeconds == nil)
        #expect(parse([:], boot: nil).cpuSeconds == 3)
    }

    @Test(
        arguments: [
            ("cpu  1 2 3\nintr 5 6\nbtime 1700000000\nprocesses 9\n", 1_700_000_000),
            ("btime 0", 0), ("cpu 1\n", nil), ("btime -4\n", nil), ("btime abc\n", nil), ("btime\n", nil),
            ("xbtime 5\n", nil), ("btime 99999999999999999999999\n", nil),
        ] as [(String, Int?)])
    func bootTime(text: String, expected: Int?) {
        #expect(ProcessStatistics.parseBootTime(procStat: text) == expected)
    }

    @Test func theProcessMetricsArePresentAndPlausible() async throws {
        // SinksTests raises the soft limit, possibly while this runs: the scrape reports the limit before or after.
        let limitBefore = OpenDescriptors.softLimit().map(Double.init)
        let exposition = try await MetricsExpositionTests.scrape(PipelineMetrics(streamNames: ["a"]))
        let limitAfter = OpenDescriptors.softLimit().map(Double.init)
        MetricsExpositionTests.checkConventions(exposition)
        let resident = try #require(exposition.value("process_resident_memory_bytes"))
        let virtual = try #require(exposition.value("process_virtual_memory_bytes"))
        #expect(resident > Double(1 << 20))
        #expect(resident <= virtual)
        #expect(try #require(exposition.value("process_cpu_seconds_total")) > 0)
        #expect(try #require(exposition.value("process_open_fds")) > 3)
        let limit = exposition.value("process_max_fds")
        #expect(limit == limitBefore || limit == limitAfter)
        #expect(limit != nil || limitAfter == nil)
        let start = try #require(exposition.value("process_start_time_seconds"))
        let now = Date().timeIntervalSince1970
        #expect(start <= now + 1)
        #expect(start > now - 30 * 86_400)
        for name in [
            "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds",
        ] {
            #expect(exposition.types[name] == "gauge", "\(name)")
        }
        #expect(exposition.types["process_cpu_seconds_total"] == "counter")
    }

    /// The value `process_open_fds` has when rendered while no other test opens or closes a descriptor (the count
    /// before and after the render agree); other tests run in parallel, so it retries until it sees such a moment.
    static func quietOpenDescriptors(_ metrics: PipelineMetrics) async throws -> (metric: Double, counted: Int) {
        for _ in 0..<1000 {
            let before = OpenDescriptors.count()
            let text = metrics.render()
            let after = OpenDescriptors.count()
            if let before, before == after {
                return (try #require(try PrometheusExposition(parsing: text).value("process_open_fds")), before)
            }
            await Task.yield()
        }
        Issue.record("descriptors kept changing during 1000 renders")
        throw CancellationError()
    }

    @Test func openDescriptorsAreCountedAtScrapeTime() async throws {
        let metrics = PipelineMetrics(streamNames: ["a"])
        let before = try await Self.quietOpenDescriptors(metrics)
        #expect(before.metric == Double(before.counted))
        let extra = (0..<64).map { _ in open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { for fd in extra { close(fd) } }
        #expect(extra.allSatisfy { $0 >= 0 })
        let opened = try await Self.quietOpenDescriptors(metrics)
        #expect(opened.metric == Double(opened.counted))
        #expect(opened.metric >= 64 + 3)
    }
}
