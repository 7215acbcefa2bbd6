import Foundation
import Sinks

/// Checks of what the configuration names on this machine, run by `ssdd config check` and by the daemon before it
/// starts: model files, output files and directories, the socket's directory, the state directory.
extension DaemonConfiguration {
    /// Throws the first problem, naming the key: a missing model file, an output path that is a directory, FIFO or
    /// device, an output directory that is missing or not writable, and so on.
    public func checkEnvironment(file: String) throws(ConfigurationError) {
        func fail(_ key: String, _ message: String) -> ConfigurationError { ConfigurationError(file: file, key: key, message: message) }
        for (i, stream) in streams.enumerated() {
            let key = stream.model == nil ? "model.path" : "streams[\(i)].model"
            let path = stream.model ?? modelPath
            if let problem = Self.problem(readableFile: path) { throw fail(key, problem) }
        }
        if let output = output.file {
            if output.perStream {
                if let problem = Self.problem(writableDirectory: output.path) { throw fail("output.file.path", problem) }
                for config in fileOutputs.map(\.configuration) {
                    if let problem = Self.problem(outputFile: config.path) { throw fail("output.file.path", problem) }
                }
            } else if let problem = Self.problem(outputFile: output.path) {
                throw fail("output.file.path", problem)
            }
        }
        if let socket = output.socket {
            let directory = (socket.path as NSString).deletingLastPathComponent
            if let problem = Self.problem(writableDirectory: directory.isEmpty ? "." : directory) {
                throw fail("output.socket.path", problem)
            }
        }
        try checkSnapshotsEnvironment(file: file)
        try checkHTTPEnvironment(file: file)
        if let state = stateDirectory {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: state, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw fail("state.dir", "\(state) exists and is not a directory")
            }
        }
    }

    /// Why `path` cannot be read as a model file, or nil.
    static func problem(readableFile path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return "\(path): \(String(cString: strerror(errno)))" }
        guard status.st_mode & S_IFMT == S_IFREG else { return "\(path) is not a regular file" }
        guard access(path, R_OK) == 0 else { return "\(path) is not readable" }
        return nil
    }

    /// Why `path` is not a writable directory, or nil.
    static func problem(writableDirectory path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return "directory \(path): \(String(cString: strerror(errno)))" }
        guard status.st_mode & S_IFMT == S_IFDIR else { return "\(path) is not a directory" }
        guard access(path, W_OK | X_OK) == 0 else { return "directory \(path) is not writable" }
        return nil
    }

    /// Why JSON Lines cannot be appended at `path`, or nil: an existing path must be a writable regular file, a new
    /// one needs a writable directory.
    static func problem(outputFile path: String) -> String? {
        guard !path.isEmpty, !path.hasSuffix("/") else { return "'\(path)' is not a file path" }
        var status = stat()
        if stat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFREG else {
                let kind = OutputFile.kind(of: status.st_mode)
                return "\(path) is a \(kind), not a regular file (a file output appends to a file; use the socket to stream)"
            }
            guard access(path, W_OK) == 0 else { return "\(path) is not writable" }
            return nil
        }
        guard errno == ENOENT else { return "\(path): \(String(cString: strerror(errno)))" }
        let directory = (path as NSString).deletingLastPathComponent
        return problem(writableDirectory: directory.isEmpty ? "." : directory)
    }
}
