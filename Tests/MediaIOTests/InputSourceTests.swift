import Foundation
import Testing

@testable import MediaIO

#if canImport(Glibc)
import Glibc
#endif

/// What a path turns out to be once symbolic links are followed, and the error for what cannot be a video.
@Suite("Input classification")
struct InputSourceTests {
    private let dir = FixtureVideos.temporaryDirectory().path

    private func error(_ input: String) -> MediaError? {
        do {
            _ = try InputSource.resolve(input)
            return nil
        } catch {
            return error
        }
    }

    @Test func urls() throws {
        #expect(try InputSource.resolve("rtsp://127.0.0.1/cam") == .url)
        #expect(try InputSource.resolve("foo://anything") == .url)
    }

    @Test("a FIFO behind a symbolic link is a stream, read through our own descriptor")
    func fifoBehindLink() throws {
        let fifo = "\(dir)/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/x.mp4", withDestinationPath: fifo)
        #expect(try InputSource.resolve("\(dir)/x.mp4") == .stream(path: "\(dir)/x.mp4"))
        #expect(try InputSource.resolve("file:\(fifo)") == .stream(path: fifo))
    }

    @Test("character devices that are not cameras, and pipe:N, are streams")
    func devicesAndPipes() throws {
        #expect(try InputSource.resolve("/dev/null") == .stream(path: "/dev/null"))
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        #expect(try InputSource.resolve("pipe:\(ends[0])") == .stream(path: "/dev/fd/\(ends[0])"))
    }

    @Test func regularFile() throws {
        let path = try HostileFixtures.file("one.bin", Data([1]))
        #expect(try InputSource.resolve(path) == .regularFile)
        #expect(try InputSource.resolve("file://\(path)") == .regularFile)
    }

    @Test func danglingLink() throws {
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/dangling.mp4", withDestinationPath: "/nonexistent/target.mp4")
        #expect(
            error("\(dir)/dangling.mp4")
                == MediaError(
                    .input, input: "\(dir)/dangling.mp4", message: "no such file (a symbolic link to /nonexistent/target.mp4, which does not exist)"))
    }

    @Test func linkLoop() throws {
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/a", withDestinationPath: "\(dir)/b")
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/b", withDestinationPath: "\(dir)/a")
        #expect(error("\(dir)/a") == MediaError(.input, input: "\(dir)/a", message: "too many levels of symbolic links"))
    }

    @Test func directoryBehindLink() throws {
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/dir.mp4", withDestinationPath: dir)
        #expect(error("\(dir)/dir.mp4") == MediaError(.input, input: "\(dir)/dir.mp4", message: "is a directory, not a video file"))
    }

    @Test func emptyFileBehindLink() throws {
        let path = try HostileFixtures.file("empty.bin", Data())
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/empty.mp4", withDestinationPath: path)
        #expect(error("\(dir)/empty.mp4") == MediaError(.input, input: "\(dir)/empty.mp4", message: "the file is empty (0 bytes)"))
    }

    @Test func pathThroughAFile() throws {
        let path = try HostileFixtures.file("plain.bin", Data([1]))
        #expect(
            error("\(path)/clip.mp4")
                == MediaError(.input, input: "\(path)/clip.mp4", message: "no such file (a component of the path is not a directory)"))
    }

    @Test func emptyPath() {
        #expect(error("") == MediaError(.input, input: "", message: "no such file (the path is empty)"))
    }

    @Test func unixSocket() throws {
        let path = "\(dir)/s.mp4"
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        #expect(
            error(path)
                == MediaError(
                    .input, input: path, message: "is a socket, not a video file (network streams are read from URLs such as rtsp:// or tcp://)"))
    }

    @Test("the V4L2 major number is read from the device number")
    func deviceMajor() {
        #expect(InputSource.deviceMajor(dev_t((81 << 8) | 3)) == 81)
        #expect(InputSource.deviceMajor(dev_t((1 << 8) | 3)) == 1)
    }
}
