import Foundation
import Testing

@testable import Pipeline

@Suite("Resume points and the checks of what a configuration names")
struct ResumeAndEnvironmentTests {
    static func scratch() throws -> String {
        var template = Array("/tmp/pipeline-XXXXXX".utf8CString)
        return String(cString: try #require(mkdtemp(&template)))
    }

    @Test("a resume point survives a round trip, and is replaced atomically (no temporary file left)")
    func roundTrip() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try ResumeStore(directory: "\(dir)/state")
        let clip = "\(dir)/clip.mp4"
        FileManager.default.createFile(atPath: clip, contents: Data("video".utf8))
        let identity = try #require(ResumePoint.identity(ofInput: clip))
        let point = ResumePoint(
            stream: "f", url: clip, frame: 41, nextTrackID: 7, complete: false,
            sourceSize: identity.size, sourceModified: identity.modified)
        try store.save(point)
        #expect(store.load(stream: "f") == point)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/state") == ["f.resume.json"])
        let file = StreamConfiguration(name: "f", url: clip, live: false)
        #expect(point.applies(to: file))
        // The input was replaced: the point no longer applies.
        FileManager.default.createFile(atPath: clip, contents: Data("another video".utf8))
        #expect(!point.applies(to: file))
        #expect(!point.applies(to: StreamConfiguration(name: "f", url: "\(dir)/other.mp4", live: false)))
    }

    @Test(
        "a damaged or hostile state file is ignored (the stream starts over), never trusted",
        arguments: [
            "not json", #"{"v":1,"stream":"f","url":"x","frame":-5,"nextTrackID":1,"complete":false}"#,
            #"{"v":2,"stream":"f","url":"x","frame":3,"nextTrackID":1,"complete":false}"#,
            #"{"v":1,"stream":"f","url":"x","frame":3,"nextTrackID":0,"complete":false}"#,
            String(repeating: " ", count: 70_000),
        ])
    func damaged(text: String) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try ResumeStore(directory: dir)
        try text.write(toFile: store.path(of: "f"), atomically: true, encoding: .utf8)
        #expect(store.load(stream: "f") == nil)
    }

    @Test("a state directory that is a file is an error naming state.dir")
    func stateDirectoryIsAFile() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: "\(dir)/file", contents: nil)
        #expect(throws: StartupError.self) { try ResumeStore(directory: "\(dir)/file") }
    }

    @Test("output paths: directories, FIFOs and missing directories are named; a new file in a writable directory is fine")
    func outputPaths() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo("\(dir)/fifo", 0o600) == 0)
        #expect(DaemonConfiguration.problem(outputFile: "\(dir)/new.jsonl") == nil)
        #expect(DaemonConfiguration.problem(outputFile: dir)?.hasPrefix("\(dir) is a directory") == true)
        #expect(DaemonConfiguration.problem(outputFile: "\(dir)/fifo")?.hasPrefix("\(dir)/fifo is a FIFO") == true)
        #expect(DaemonConfiguration.problem(outputFile: "\(dir)/missing/x.jsonl") == "directory \(dir)/missing: No such file or directory")
        #expect(DaemonConfiguration.problem(readableFile: dir) == "\(dir) is not a regular file")
    }

    @Test(
        "config keys that run used to reject after check accepted them",
        arguments: [
            ("[tracker]\niou_threshold = 0", "<config>: tracker.iou_threshold: must be above 0 and at most 1, got 0.0"),
            (
                "[output.file]\npath = \"/x\"\nrotate_seconds = 0.5",
                "<config>: output.file.rotate_seconds: must be 0 (never) or at least 1 second, got 0.5"
            ),
            (
                "[output.socket]\npath = \"/\(String(repeating: "s", count: 110))\"",
                "<config>: output.socket.path: must be a path of 1 to 107 bytes in a directory of at most 92 bytes, got \"/\(String(repeating: "s", count: 110))\" (111 bytes, directory 1 bytes)"
            ),
            ("[metrics]\naddress = \"127.0.0.1:1\"\nmax_connections = 0", "<config>: metrics.max_connections: must be between 1 and 10000, got 0"),
            (
                "[output.socket]\npath = \"/run/s.sock\"\nsubscription_timeout = 0",
                "<config>: output.socket.subscription_timeout: must be between 0.01 and 3600.0, got 0.0"
            ),
            ("[output.file]\npath = \"/x\"\ngroup = \"\"", "<config>: output.file.group: must be a group name or numeric id, got \"\""),
        ])
    func sameValidationAsRun(extra: String, message: String) {
        let text = "[[streams]]\nname = \"a\"\nurl = \"x.mp4\"\n" + extra
        let error = #expect(throws: ConfigurationError.self) { try DaemonConfiguration.parse(text) }
        #expect(error?.description == message)
    }

    @Test("file outputs default to mode 0640; mode, group and [state] dir are read")
    func fileModeAndState() throws {
        let c = try DaemonConfiguration.parse(
            """
            [[streams]]
            name = "a"
            url = "x.mp4"
            [output.file]
            path = "/var/log/ssdd/d.jsonl"
            [state]
            dir = "/var/lib/ssdd"
            """)
        #expect(c.output.file?.mode == 0o640)
        #expect(c.fileOutputs.first?.configuration.fileMode == 0o640)
        #expect(c.stateDirectory == "/var/lib/ssdd")
        let g = try DaemonConfiguration.parse(
            "[[streams]]\nname = \"a\"\nurl = \"x.mp4\"\n[output.file]\npath = \"/x\"\nmode = \"0600\"\ngroup = \"adm\"")
        #expect(g.fileOutputs.first?.configuration.fileMode == 0o600)
        #expect(g.fileOutputs.first?.configuration.group == "adm")
    }
}
