import Foundation
import Testing

/// Runs the `ssdd` binary named by `SSDD_BINARY` (`make test` builds the release binary first and sets it).
enum BinaryRunner {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The binary under test: `SSDD_BINARY` (which `make test` sets to the release build it just made). There is no
    /// fallback: a stale binary left in `.build` would test old code.
    static var binary: URL {
        guard let path = ProcessInfo.processInfo.environment["SSDD_BINARY"], !path.isEmpty else {
            fatalError("SSDD_BINARY is not set: run the end-to-end tests with `make test`, or set SSDD_BINARY to a fresh build")
        }
        return URL(fileURLWithPath: path)
    }

    /// Runs `ssdd arguments…` to completion and captures its output.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw CocoaError(
                .fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "build the binary first: swift build --product ssdd (\(binary.path))"])
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so a full pipe never blocks the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }
}
