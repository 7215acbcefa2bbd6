import Foundation

/// One `ssdd run` under test: its configuration file, its stderr log and a NOTIFY_SOCKET listener, all in the test's
/// scratch directory. The process is killed (SIGKILL) when the value goes away while it still runs, so a failing
/// test never leaves a daemon behind.
final class LaunchedDaemon {
    /// The scratch directory holding the configuration, the log and the notify socket.
    let directory: String
    /// The configuration file passed to `--config`.
    let configPath: String
    /// Where the daemon's stderr goes.
    let logPath: String
    /// systemd's notification socket stand-in (READY=1, STOPPING=1, WATCHDOG=1, STATUS=…).
    let notify: NotifyListener
    let process = Process()

    /// Writes `config` to `directory/ssdd.toml` and starts `ssdd run --config` on it.
    convenience init(directory: String, config: String, environment: [String: String] = [:]) throws {
        let path = "\(directory)/ssdd.toml"
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        try self.init(directory: directory, configPath: path, environment: environment)
    }

    /// Starts `ssdd run --config configPath`; `environment` is added to the test's own (NOTIFY_SOCKET is set here).
    /// Each launch in the same directory appends to the same log.
    init(directory: String, configPath: String, environment: [String: String] = [:]) throws {
        self.directory = directory
        self.configPath = configPath
        logPath = "\(directory)/stderr.log"
        let notifyPath = "\(directory)/notify.sock"
        try? FileManager.default.removeItem(atPath: notifyPath)
        notify = NotifyListener(path: notifyPath)
        process.executableURL = BinaryRunner.binary
        process.arguments = ["run", "--config", configPath]
        process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["NOTIFY_SOCKET": notifyPath]) { $1 }) { $1 }
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        process.standardError = log
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        notify.close()
    }

    /// Everything the daemon wrote to stderr so far.
    var log: String { String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self) }

    var isRunning: Bool { process.isRunning }

    /// Sends `signal` to the daemon.
    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits up to `seconds` for the daemon to exit; returns whether it did (then its status is available).
    @discardableResult
    func waitForExit(seconds: Double) -> Bool {
        guard DaemonHarness.wait(seconds: seconds, { !process.isRunning }) else { return false }
        process.waitUntilExit()
        return true
    }

    /// The exit status, or the signal number when ``terminationReason`` is `.uncaughtSignal`.
    var terminationStatus: Int32 { process.terminationStatus }
    var terminationReason: Process.TerminationReason { process.terminationReason }

    /// The `frames=` and `dropped=` values of the shutdown summary log line (`… dropped=0 frames=250 … stopped`).
    var summary: (frames: Int, dropped: Int)? {
        guard let line = log.split(separator: "\n").last(where: { $0.hasSuffix(" stopped") && $0.contains(" frames=") }) else { return nil }
        func value(_ key: String) -> Int? {
            line.split(separator: " ").first { $0.hasPrefix("\(key)=") }.flatMap { Int($0.dropFirst(key.count + 1)) }
        }
        guard let frames = value("frames"), let dropped = value("dropped") else { return nil }
        return (frames, dropped)
    }
}
