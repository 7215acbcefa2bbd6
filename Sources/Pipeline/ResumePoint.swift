import Foundation

/// Where a stream resumes after a restart: the last frame whose records are durable in the outputs, kept in a small
/// JSON file per stream (`<state dir>/<stream>.resume.json`) that is replaced atomically.
///
/// A file stream restarted with the same input (same size and modification time) skips the frames up to and
/// including `frame` and writes from the next one; one marked `complete` is not read again. A live stream continues
/// its frame numbering after `frame`. Both continue track ids from `nextTrackID`. Records after the resume point
/// may be written twice (at-least-once): those of frames written after the last checkpoint and before the crash.
struct ResumePoint: Codable, Equatable, Sendable {
    /// Schema version.
    var v = 1
    var stream: String
    var url: String
    /// Last frame whose records are durable; -1 before the first.
    var frame: Int
    /// The id the stream's next confirmed track gets.
    var nextTrackID: Int
    /// A file stream read to its end with every record durable.
    var complete: Bool
    /// Size and modification time of a local input file when the point was saved (to notice a replaced file).
    var sourceSize: Int64?
    var sourceModified: Double?

    /// The identity (size, modification time) of a local file, or nil for URLs and missing files.
    static func identity(ofInput url: String) -> (size: Int64, modified: Double)? {
        guard !url.contains("://"), let attributes = try? FileManager.default.attributesOfItem(atPath: url),
            let size = attributes[.size] as? NSNumber, let modified = attributes[.modificationDate] as? Date
        else { return nil }
        return (size.int64Value, modified.timeIntervalSince1970)
    }

    /// Whether this point applies to `configuration` now: same URL and, for local files, the same file.
    func applies(to configuration: StreamConfiguration) -> Bool {
        guard stream == configuration.name, url == configuration.url else { return false }
        if configuration.live { return true }
        guard let identity = Self.identity(ofInput: url) else { return false }
        return identity.size == sourceSize && identity.modified == sourceModified
    }
}

/// Reads and atomically replaces the resume points of the streams in one directory.
struct ResumeStore: Sendable {
    let directory: String

    /// Ensures the directory exists (created 0700 if missing).
    init(directory: String) throws {
        self.directory = directory
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw StartupError(key: "state.dir", message: "\(directory) exists and is not a directory")
            }
        } else {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StartupError(key: "state.dir", message: "cannot create \(directory): \(error.localizedDescription)")
            }
        }
        guard access(directory, W_OK) == 0 else {
            throw StartupError(key: "state.dir", message: "\(directory) is not writable")
        }
    }

    func path(of stream: String) -> String { (directory as NSString).appendingPathComponent("\(stream).resume.json") }

    /// The saved point of `stream`, or nil when there is none or it cannot be read (a damaged file is ignored:
    /// the stream then starts from the beginning, at-least-once).
    func load(stream: String) -> ResumePoint? {
        guard let data = FileManager.default.contents(atPath: path(of: stream)), data.count < 65_536 else { return nil }
        guard let point = try? JSONDecoder().decode(ResumePoint.self, from: data), point.v == 1, point.frame >= -1,
            point.nextTrackID >= 1
        else { return nil }
        return point
    }

    /// Replaces the saved point of `point.stream`: write a temporary file, fsync, rename over, fsync the directory.
    func save(_ point: ResumePoint) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(point)
        data.append(UInt8(ascii: "\n"))
        let target = path(of: point.stream)
        let temporary = target + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StartupError(key: "state.dir", message: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced, rename(temporary, target) == 0 else {
            unlink(temporary)
            throw StartupError(key: "state.dir", message: "cannot replace \(target): \(String(cString: strerror(errno)))")
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }
}
