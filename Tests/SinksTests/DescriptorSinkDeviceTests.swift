import Sinks
import Testing

@Suite("Descriptor sink on special files")
struct DescriptorSinkDeviceTests {
    /// `ssdd detect -o /dev/null` used to fail at the end with "fsync failed: Invalid argument".
    @Test func writingToDevNullSucceeds() async throws {
        let sink = try DescriptorSink.creatingFile("/dev/null")
        await sink.flush()
        await sink.close()
        #expect(sink.failure == nil)
    }
}
