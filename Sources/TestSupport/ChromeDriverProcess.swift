import Foundation

/// Debian's `chromedriver` (package chromium-driver) on a loopback port, for ``WebDriverSession``.
///
/// ``stop()`` (also run by `deinit`) kills the driver and every process it started (the browser and its helpers,
/// found through `/proc` by parent id before anything is killed), so a failing test never leaves a browser behind.
public final class ChromeDriverProcess: @unchecked Sendable {
    // Unchecked: `stopped` is guarded by `lock`; the other fields are constants.
    /// The port the driver listens on (127.0.0.1).
    public let port: Int
    /// The driver's own log (`--log-path`).
    public let logPath: String
    private let process: ChildProcess
    private let lock = NSLock()
    private var stopped = false

    /// The driver Debian installs.
    public static let defaultExecutable = "/usr/bin/chromedriver"

    /// Starts the driver on `port` and waits (up to `timeout` seconds) until its `/status` says it is ready.
    public init(executable: String = ChromeDriverProcess.defaultExecutable, port: Int, logPath: String, timeout: Double = 60) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw WebDriverError(error: "no driver", message: "\(executable) is missing: install chromium and chromium-driver (scripts/setup.sh)")
        }
        self.port = port
        self.logPath = logPath
        process = try ChildProcess(executable, ["--port=\(port)", "--log-path=\(logPath)", "--allowed-ips=127.0.0.1"])
        let deadline = Date(timeIntervalSinceNow: timeout)
        while !isReady() {
            guard process.isRunning else {
                throw WebDriverError(error: "driver exited", message: "chromedriver exited at start-up; see \(logPath)")
            }
            guard Date() < deadline else {
                stop()
                throw WebDriverError(error: "timeout", message: "chromedriver was not ready on port \(port) within \(Int(timeout)) s")
            }
            usleep(100_000)
        }
    }

    deinit { stop() }

    /// Whether `GET /status` answers `{"value":{"ready":true,…}}`.
    private func isReady() -> Bool {
        guard let value = try? WebDriverSession.command(port: port, method: "GET", path: "/status", body: nil, timeout: 5) else { return false }
        return (value as? [String: Any])?["ready"] as? Bool ?? false
    }

    /// Kills the driver and everything it started; safe to call more than once.
    public func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        // Collect the whole tree first: once the driver dies, its children are re-parented and cannot be found.
        let tree = Self.descendants(of: process.pid)
        process.send(SIGKILL)
        for pid in tree { kill(pid, SIGKILL) }
        process.waitForExit()
    }

    /// Every process below `root`, from /proc/*/stat's parent ids.
    static func descendants(of root: pid_t) -> [pid_t] {
        var parents: [pid_t: pid_t] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8) else { continue }
            // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
            guard let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { parents[pid] = parent }
        }
        var found: [pid_t] = []
        var frontier: Set<pid_t> = [root]
        while !frontier.isEmpty {
            let children = parents.filter { frontier.contains($0.value) }.map(\.key)
            found += children
            frontier = Set(children)
        }
        return found
    }
}
