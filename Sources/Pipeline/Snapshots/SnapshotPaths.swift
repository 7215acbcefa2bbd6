import Foundation

/// Where snapshot files go: `<dir>/<stream>/…`, names safe for any file system.
///
/// - Track pictures: `<stream>/<UTC yyyyMMdd-HHmmss>-track<ID>-frame<N>.jpg` (`…-crop.jpg` for the crop); the time is
///   the frame's decode time, so a restarted daemon whose track ids start again does not overwrite earlier pictures.
/// - `<stream>/latest.jpg`.
///
/// Track end records name the files relative to `<dir>`.
struct SnapshotPaths: Sendable {
    let root: String

    /// The directory name for stream `name`: the name itself when it is made of ASCII letters, digits, `-`, `_` and
    /// `.` (and does not start with `.`), else those characters with every other one replaced by `_` and an FNV-1a hash
    /// of the name appended, so two names never share a directory.
    static func directoryName(for name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        var safe = String(name.map { allowed.contains($0) ? $0 : "_" })
        if safe.hasPrefix(".") { safe = "_" + safe.dropFirst() }
        if safe == name && !safe.isEmpty { return safe }
        var hash: UInt32 = 0x811C_9DC5
        for byte in name.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return "\(safe.prefix(64))-\(String(hash, radix: 16))"
    }

    /// The stream's directory (absolute, or relative to the working directory as `dir` is).
    func directory(stream: String) -> String {
        (root as NSString).appendingPathComponent(Self.directoryName(for: stream))
    }

    /// The relative names of a track's picture and crop.
    static func trackFiles(stream: String, track: Int, frame: Int, decodedAt: Double) -> (picture: String, crop: String) {
        let stamp = timestamp(decodedAt)
        let base = "\(directoryName(for: stream))/\(stamp)-track\(track)-frame\(frame)"
        return ("\(base).jpg", "\(base)-crop.jpg")
    }

    /// The relative name of the stream's latest picture.
    static func latestFile(stream: String) -> String { "\(directoryName(for: stream))/latest.jpg" }

    /// `yyyyMMdd-HHmmss` in UTC; `00000000-000000` for a time that is not a valid date.
    static func timestamp(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 253_402_300_800 else { return "00000000-000000" }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d%02d%02d-%02d%02d%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour),
            Int(parts.tm_min), Int(parts.tm_sec))
    }
}
