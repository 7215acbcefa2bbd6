import MediaIO
import Testing

/// Which inputs the daemon treats as live by default (``VideoReader/isLiveInput(_:)``).
@Suite("Live or file input")
struct LiveInputTests {
    @Test(arguments: [
        ("rtsp://192.0.2.10:554/stream1", true), ("RTSP://cam/x", true), ("rtmp://host/app", true), ("udp://@:1234", true),
        ("srt://host:9000", true), ("/dev/video0", true),
        ("http://127.0.0.1:18600/live.ts", true), ("https://cam.example/video.mjpg", true),
        ("http://host/stream.m3u8", true), ("http://cam/axis-cgi/mjpg/video.cgi?resolution=640x480", true),
        ("http://host/archive/clip.mp4", false), ("https://host/a.MKV", false), ("http://host/v.webm?token=1", false),
        ("/var/lib/ssdd/archive/2026-11-26.mp4", false), ("clip.ts", false), ("file:///tmp/a.mp4", false),
    ])
    func classification(_ input: String, _ live: Bool) {
        #expect(VideoReader.isLiveInput(input) == live, "\(input)")
    }
}
