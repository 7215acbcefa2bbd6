import Foundation
import Testing

@testable import Pipeline

@Suite("Memory trim: free pages inside malloc's heap go back to the system")
struct MemoryTrimServiceTests {
    /// This process's resident set, from `/proc/self/status` (nil where there is no `/proc`).
    static func residentKiB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
    }

    /// 256 MB of 4 KB blocks, all but every 64th freed: the kept blocks pin the heap's top, so only a trim that
    /// releases pages inside the heap (glibc's `malloc_trim`) can give the 252 MB of holes back.
    @Test(.enabled(if: residentKiB() != nil, "needs /proc/self/status"))
    func trimReleasesTheHolesOfAFragmentedHeap() throws {
        let count = 65_536, size = 4096
        var blocks: [UnsafeMutableRawPointer] = []
        blocks.reserveCapacity(count)
        for _ in 0..<count {
            let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
            block.initializeMemory(as: UInt8.self, repeating: 1, count: size)
            blocks.append(block)
        }
        for (i, block) in blocks.enumerated() where i % 64 != 0 { block.deallocate() }
        let before = try #require(Self.residentKiB())
        #expect(GlibcMalloc.trim())
        let after = try #require(Self.residentKiB())
        for (i, block) in blocks.enumerated() where i % 64 == 0 { block.deallocate() }
        // The holes are 252 MB; other tests of this process allocate meanwhile, so ask for a quarter of them.
        #expect(before - after >= 64 * 1024, "RSS \(before) KiB → \(after) KiB after malloc_trim")
    }

    /// The service trims every interval until its task is cancelled, and then returns.
    @Test func serviceStopsWhenCancelled() async {
        let task = Task { await MemoryTrimService(interval: .milliseconds(5)).run() }
        try? await Task.sleep(for: .milliseconds(30))
        task.cancel()
        await task.value
    }
}
