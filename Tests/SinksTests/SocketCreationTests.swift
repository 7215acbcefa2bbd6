import Foundation
import Logging
import Testing

@testable import Sinks

/// The socket file never exists where another user could reach it with looser permissions than configured.
@Suite struct SocketCreationTests {
    static let logger = Logger(label: "SinksTests.socketCreation")

    /// One inotify event in the socket's directory.
    struct Event: Equatable, CustomStringConvertible {
        let mask: UInt32
        let name: String
        var description: String { "\(name) mask 0x\(String(mask, radix: 16))" }
    }

    @Test func socketAppearsAtItsPathByRenameWithItsFinalModeAndGroup() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        let watch = inotify_init1(Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC))
        try #require(watch >= 0)
        defer { close(watch) }
        try #require(inotify_add_watch(watch, directory.path, UInt32(IN_CREATE | IN_MOVED_TO | IN_ATTRIB)) >= 0)

        let publisher = try await UnixSocketPublisher.bind(
            configuration: PublisherConfiguration(path: path, mode: 0o640, group: "0"), logger: Self.logger)
        let events = Self.read(watch)
        let status = try #require(Self.status(of: path))
        await publisher.close()

        // The only entries created directly in the directory are private directories (mode 0700 from mkdtemp,
        // whatever the umask); the socket arrives by rename, already with its mode and group, and is never
        // changed afterwards (no IN_ATTRIB on it).
        let created = events.filter { $0.mask & UInt32(IN_CREATE) != 0 }
        #expect(!created.isEmpty)
        #expect(created.allSatisfy { $0.mask & UInt32(IN_ISDIR) != 0 && $0.name.hasPrefix(".ssdd-") }, "\(events)")
        #expect(events.filter { $0.name == "s.sock" } == [Event(mask: UInt32(IN_MOVED_TO), name: "s.sock")], "\(events)")
        #expect(status.st_mode & S_IFMT == S_IFSOCK)
        #expect(status.st_mode & 0o7777 == 0o640)
        #expect(status.st_gid == 0)
        #expect(status.st_uid == getuid())
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers.isEmpty, "the private directory is removed and close() removes the socket: \(leftovers)")
    }

    @Test func privateDirectoryIsOnlyReachableByItsOwner() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let created = try SocketFile.makePrivateDirectory(beside: directory.file("s.sock"))
        defer { SocketFile.removeDirectory(created) }
        #expect(created.hasPrefix(directory.path + "/.ssdd-"))
        #expect(created.utf8.count == directory.path.utf8.count + 1 + SocketFile.privateDirectoryTemplate.utf8.count)
        let status = try #require(Self.status(of: created))
        #expect(status.st_mode & S_IFMT == S_IFDIR)
        #expect(status.st_mode & 0o7777 == 0o700)
        #expect(status.st_uid == getuid())
    }

    @Test func bindFailureLeavesNothingBehind() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        await #expect(throws: SinksError.self) {
            try await UnixSocketPublisher.bind(configuration: PublisherConfiguration(path: path, group: "no-such-group-ssdd"), logger: Self.logger)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func socketDirectoryTooLongForThePrivateNameIsRefused() throws {
        let directory = "/tmp/" + String(repeating: "d", count: SocketFile.maxDirectoryBytes - 4)
        let path = directory + "/s"
        #expect(throws: Never.self) {
            try PublisherConfiguration(path: String(repeating: "d", count: SocketFile.maxDirectoryBytes - 1) + "/s").validate()
        }
        do {
            try PublisherConfiguration(path: path).validate()
            Issue.record("a directory of \(directory.utf8.count) bytes was accepted")
        } catch {
            #expect(
                error.description == """
                    invalid sink configuration: output.socket.path must be a path of 1 to 107 bytes in a directory of at most 92 bytes, \
                    got "\(path)" (95 bytes, directory 93 bytes)
                    """)
        }
    }

    static func status(of path: String) -> stat? {
        var status = stat()
        return lstat(path, &status) == 0 ? status : nil
    }

    static func read(_ watch: Int32) -> [Event] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(watch, $0.baseAddress, $0.count) }
        guard count > 0 else { return [] }
        var events: [Event] = []
        var offset = 0
        buffer.withUnsafeBytes { raw in
            while offset + 16 <= count {
                let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                let nameBytes = raw[(offset + 16)..<(offset + 16 + length)].prefix { $0 != 0 }
                events.append(Event(mask: mask, name: String(decoding: nameBytes, as: UTF8.self)))
                offset += 16 + length
            }
        }
        return events
    }
}
