import ArgumentParser
import Foundation
import Sinks

/// `ssdd subscribe --socket PATH [filters]`: a client of the daemon's Unix-socket feed; prints the lines it receives.
struct SubscribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe", abstract: "Connect to a running daemon's socket and print its JSON lines.")

    @Option(help: "The daemon's socket.")
    var socket = "/run/ssdd/ssdd.sock"

    @Option(help: "Comma-separated stream names.")
    var streams: String?

    @Option(help: "Comma-separated labels.")
    var labels: String?

    @Option(name: .customLong("min-score"), help: "Minimum detection score.")
    var minScore: Double?

    @Option(help: "Comma-separated record kinds: frame, track, stream.")
    var kinds: String?

    func run() throws {
        let fd = Foundation.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CLIError("cannot create a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socket.utf8)
        guard path.count < MemoryLayout.size(ofValue: address.sun_path) else { throw CLIError("\(socket): path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.enumerated() { raw[i] = b } }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw CLIError("\(socket): cannot connect: \(String(cString: strerror(errno))) (is ssdd running?)") }
        var subscription: [String: Any] = [:]
        func list(_ s: String?) -> [String]? { s?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        if let s = list(streams) { subscription["streams"] = s }
        if let l = list(labels) { subscription["labels"] = l }
        if let m = minScore { subscription["minScore"] = m }
        if let k = list(kinds) { subscription["kinds"] = k }
        if !subscription.isEmpty {
            let line = try JSONSerialization.data(withJSONObject: subscription, options: [.sortedKeys]) + Data("\n".utf8)
            _ = line.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        // Records published before the daemon read the subscription arrive unfiltered: skip them.
        var gate = SubscriptionReplyGate(sentSubscription: !subscription.isEmpty)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            let passed: [UInt8]
            do {
                passed = try gate.pass(buffer[0..<n])
            } catch {
                throw CLIError("\(socket): \(error)")
            }
            if !passed.isEmpty { Console.write(String(decoding: passed, as: UTF8.self), to: STDOUT_FILENO) }
        }
    }
}
