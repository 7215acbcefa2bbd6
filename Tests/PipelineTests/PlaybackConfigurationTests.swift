import Pipeline
import Testing

@Suite("Stream keys realtime and loop")
struct PlaybackConfigurationTests {
    static func file(_ extra: String) -> String {
        "[[streams]]\nname = \"clip\"\nurl = \"samples/person.mp4\"\n\(extra)"
    }

    @Test("both default to false and are read for a file")
    func readsForFiles() throws {
        let plain = try DaemonConfiguration.parse(Self.file(""))
        #expect(!plain.streams[0].realtime && !plain.streams[0].loop)
        let both = try DaemonConfiguration.parse(Self.file("realtime = true\nloop = true"))
        #expect(both.streams[0].realtime && both.streams[0].loop)
        let forced = try DaemonConfiguration.parse(
            "[[streams]]\nname = \"clip\"\nurl = \"http://127.0.0.1/clip.mp4\"\nlive = false\nloop = true")
        #expect(forced.streams[0].loop && !forced.streams[0].live)
    }

    @Test(
        "refused with the key named: live sources, wrong types",
        arguments: [
            (
                "[[streams]]\nname = \"cam\"\nurl = \"rtsp://127.0.0.1/cam\"\nrealtime = true",
                "<config>: streams[0].realtime: paces a file to its timestamps; a live source is paced by its sender (remove the key or set live = false)"
            ),
            (
                "[[streams]]\nname = \"cam\"\nurl = \"x.mp4\"\nlive = true\nloop = true",
                "<config>: streams[0].loop: restarts a file at its end; a live source reconnects instead (remove the key or set live = false)"
            ),
            (
                "[[streams]]\nname = \"clip\"\nurl = \"x.mp4\"\nloop = \"yes\"",
                "<config>: streams[0].loop: expected true or false, got string \"yes\""
            ),
        ])
    func refused(text: String, message: String) {
        do {
            _ = try DaemonConfiguration.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description == message)
        }
    }
}
