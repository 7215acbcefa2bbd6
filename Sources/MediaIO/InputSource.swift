import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How a reader reaches its input, decided with `stat(2)` (following symbolic links) before FFmpeg sees it.
///
/// FFmpeg's interrupt callback cannot break a blocking `open(2)` or `read(2)` on a FIFO, a pipe or a terminal, so
/// those are read through a ``PolledDescriptor`` instead of FFmpeg's file protocol; regular files go to FFmpeg by
/// path; everything else that is not a video gets a precise error here.
enum InputSource: Equatable {
    /// A URL FFmpeg opens itself (`rtsp://`, `http://`, …); its protocols honour the interrupt callback.
    case url
    /// A V4L2 capture device, opened with FFmpeg's `video4linux2` demuxer.
    case captureDevice
    /// A regular, non-empty, readable file; FFmpeg opens it by path (reads from disk do not block indefinitely).
    case regularFile
    /// A FIFO, pipe or character device at this path, read through our own non-blocking descriptor.
    case stream(path: String)

    /// The Linux character-device major number of V4L2 (`/dev/video*`, `/dev/v4l/by-id/*`).
    static let videoForLinuxMajor: UInt64 = 81

    /// Classifies `input`; throws an `.input` error naming the problem for paths that cannot be a video.
    static func resolve(_ input: String) throws(MediaError) -> InputSource {
        if let path = pipePath(input) { return try resolvePath(path, input: input) }
        if input.contains("://") && !input.lowercased().hasPrefix("file:") { return .url }
        let path = input.lowercased().hasPrefix("file:") ? String(input.dropFirst(5)) : input
        return try resolvePath(path, input: input)
    }

    /// FFmpeg's `pipe:` / `pipe:N` inputs as the path of that descriptor, so they are polled like any pipe.
    private static func pipePath(_ input: String) -> String? {
        guard input.hasPrefix("pipe:") else { return nil }
        let number = input.dropFirst(5)
        if number.isEmpty { return "/dev/fd/0" }
        guard let descriptor = Int32(number), descriptor >= 0 else { return nil }
        return "/dev/fd/\(descriptor)"
    }

    private static func resolvePath(_ path: String, input: String) throws(MediaError) -> InputSource {
        guard !path.isEmpty else { throw MediaError(.input, input: input, message: "no such file (the path is empty)") }
        var status = stat()
        guard stat(path, &status) == 0 else { throw statError(errno, path: path, input: input) }
        switch status.st_mode & S_IFMT {
        case S_IFDIR:
            throw MediaError(.input, input: input, message: "is a directory, not a video file")
        case S_IFSOCK:
            throw MediaError(
                .input, input: input, message: "is a socket, not a video file (network streams are read from URLs such as rtsp:// or tcp://)")
        case S_IFBLK:
            throw MediaError(.input, input: input, message: "is a block device, not a video file")
        case S_IFCHR:
            return deviceMajor(status.st_rdev) == videoForLinuxMajor ? .captureDevice : .stream(path: path)
        case S_IFIFO:
            return .stream(path: path)
        case S_IFREG:
            try checkReadable(path, input: input)
            if status.st_size == 0 { throw MediaError(.input, input: input, message: "the file is empty (0 bytes)") }
            return .regularFile
        default:
            throw MediaError(
                .input, input: input, message: "is not a regular file, FIFO or device (file type \(String(status.st_mode & S_IFMT, radix: 8)))")
        }
    }

    /// Opens and closes the file: the only reliable test for the current user (root passes `access(2)` for everything).
    private static func checkReadable(_ path: String, input: String) throws(MediaError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else { throw openError(errno, input: input) }
        close(descriptor)
    }

    /// The message for a failed `open(2)` of a local input.
    static func openError(_ code: Int32, input: String) -> MediaError {
        switch code {
        case EACCES, EPERM:
            return MediaError(.input, input: input, message: "permission denied (the file is not readable by this user)")
        case ENXIO:
            return MediaError(.input, input: input, message: "cannot open: no device or reader behind this path (\(String(cString: strerror(code))))")
        default:
            return MediaError(.input, input: input, message: "cannot open: \(String(cString: strerror(code)))")
        }
    }

    private static func statError(_ code: Int32, path: String, input: String) -> MediaError {
        switch code {
        case ENOENT:
            var link = stat()
            if lstat(path, &link) == 0 && link.st_mode & S_IFMT == S_IFLNK {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                return MediaError(.input, input: input, message: "no such file (a symbolic link to \(target), which does not exist)")
            }
            return MediaError(.input, input: input, message: "no such file")
        case ENOTDIR:
            return MediaError(.input, input: input, message: "no such file (a component of the path is not a directory)")
        case EACCES:
            return MediaError(.input, input: input, message: "permission denied (a directory on the path cannot be searched by this user)")
        case ELOOP:
            return MediaError(.input, input: input, message: "too many levels of symbolic links")
        case ENAMETOOLONG:
            return MediaError(.input, input: input, message: "the path is too long")
        default:
            return MediaError(.input, input: input, message: "cannot read the file's status: \(String(cString: strerror(code)))")
        }
    }

    /// `major(3)` of a device number (a macro Swift does not import).
    static func deviceMajor(_ device: dev_t) -> UInt64 {
        let value = UInt64(device)
        return ((value >> 8) & 0xfff) | ((value >> 32) & ~0xfff)
    }
}
