import Foundation

/// A real Eclipse Mosquitto broker (`/usr/sbin/mosquitto`, Debian's `mosquitto`) for tests: listening on a free
/// loopback port, with its configuration, persistence file and log in a directory of the test's. ``stop()`` and
/// ``start()`` restart it on the same port with its persistent state (retained messages, subscribers' sessions and
/// their queued messages: `max_queued_messages 0` and `queue_qos0_messages` keep every one). The process is killed when the value goes away.
public final class MosquittoBroker: @unchecked Sendable {
    // Unchecked: `process` is only touched by the test's thread (start/stop/kill are not meant to race).
    /// The loopback port it listens on (the same across restarts).
    public let port: Int
    /// Holds `mosquitto.conf`, `mosquitto.db` and `mosquitto.log`.
    public let directory: String
    private var process: ChildProcess?

    /// Whether the listener speaks TLS (with a certificate for 127.0.0.1 signed by ``caFile``).
    public let usesTLS: Bool

    /// `mqtt://127.0.0.1:PORT`, or `mqtts://…` with TLS.
    public var url: String { "\(usesTLS ? "mqtts" : "mqtt")://127.0.0.1:\(port)" }

    /// The CA certificate (PEM) that signed the TLS listener's certificate.
    public var caFile: String { "\(directory)/ca.pem" }

    /// The broker's log so far.
    public var log: String { (try? String(contentsOfFile: "\(directory)/mosquitto.log", encoding: .utf8)) ?? "" }

    /// Writes the configuration and starts the broker. With `credentials`, anonymous clients are refused and only that
    /// user with that password may connect.
    ///
    /// With `tls`, a CA and a certificate for 127.0.0.1 are made with the `openssl` command (in ``caFile``) and the
    /// listener speaks TLS only.
    public init(directory: String, credentials: (user: String, password: String)? = nil, tls: Bool = false) throws {
        self.directory = directory
        usesTLS = tls
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        var lines = [
            // mosquitto started as root switches to the user `mosquitto` unless told to stay who it is.
            "user \(Self.currentUser)",
            "listener \(port) 127.0.0.1",
            "persistence true",
            "persistence_location \(directory)/",
            "max_queued_messages 0",
            // Offline persistent sessions keep QoS 0 messages too (the `online` of a reconnecting publisher).
            "queue_qos0_messages true",
            "log_dest file \(directory)/mosquitto.log",
            "log_type error", "log_type warning", "log_type notice", "log_type information", "log_type subscribe",
        ]
        if tls {
            try Self.makeCertificates(in: directory)
            lines += ["cafile \(directory)/ca.pem", "certfile \(directory)/server.pem", "keyfile \(directory)/server.key"]
        }
        if let credentials {
            let passwords = "\(directory)/passwords"
            try Self.run("/usr/bin/mosquitto_passwd", ["-c", "-b", passwords, credentials.user, credentials.password])
            lines += ["allow_anonymous false", "password_file \(passwords)"]
        } else {
            lines.append("allow_anonymous true")
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: "\(directory)/mosquitto.conf", atomically: true, encoding: .utf8)
        try start()
    }

    deinit { kill() }

    /// Starts the broker (again) and returns once it accepts TCP connections; throws if it does not within 10 s.
    public func start() throws {
        guard process == nil else { return }
        let process = try ChildProcess("/usr/sbin/mosquitto", ["-c", "\(directory)/mosquitto.conf"])
        self.process = process
        let deadline = Date(timeIntervalSinceNow: 10)
        while Date() < deadline {
            if Self.accepts(port: port) { return }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        kill()
        throw POSIXError(.ECONNREFUSED, userInfo: [NSLocalizedDescriptionKey: "mosquitto did not listen on port \(port); log:\n\(log)"])
    }

    /// Stops the broker cleanly (SIGTERM: it saves its persistent state) and waits for it to exit.
    public func stop() {
        guard let process else { return }
        process.send(SIGTERM)
        process.waitForExit()
        self.process = nil
    }

    /// Kills the broker (SIGKILL) if it runs.
    public func kill() {
        guard let process else { return }
        process.send(SIGKILL)
        process.waitForExit()
        self.process = nil
    }

    private static var currentUser: String {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "root" }
        return String(cString: name)
    }

    /// A throw-away CA (`ca.pem`) and a server certificate for IP 127.0.0.1 it signed (`server.pem`, `server.key`).
    public static func makeCertificates(in directory: String, caName: String = "ca") throws {
        let openssl = "/usr/bin/openssl"
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try run(
            openssl,
            ["req", "-x509"] + key + [
                "-keyout", "\(directory)/\(caName).key", "-out", "\(directory)/\(caName).pem", "-days", "2", "-subj", "/CN=ssdd test CA",
            ])
        if caName != "ca" { return }
        try run(openssl, ["req"] + key + ["-keyout", "\(directory)/server.key", "-out", "\(directory)/server.csr", "-subj", "/CN=127.0.0.1"])
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: "\(directory)/san.ext", atomically: true, encoding: .utf8)
        try run(
            openssl,
            [
                "x509", "-req", "-in", "\(directory)/server.csr", "-CA", "\(directory)/ca.pem", "-CAkey", "\(directory)/ca.key",
                "-CAcreateserial", "-out", "\(directory)/server.pem", "-days", "2", "-extfile", "\(directory)/san.ext",
            ])
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw POSIXError(.EIO, userInfo: [NSLocalizedDescriptionKey: "\(tool) failed"]) }
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// A loopback TCP port nothing listens on, below the ephemeral range (``LoopbackPort``).
    public static func freePort() throws -> Int { LoopbackPort.unused() }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }
}
