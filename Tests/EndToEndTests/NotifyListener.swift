import Foundation

/// A datagram socket standing in for systemd's NOTIFY_SOCKET; records every message.
final class NotifyListener: @unchecked Sendable {
    // `messages` is guarded by `lock`; the descriptor is read only by the listener thread.
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []

    init(path: String) {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                let text = String(decoding: buffer[0..<n], as: UTF8.self)
                lock.withLock { received.append(text) }
            }
        }.start()
    }

    /// Every datagram received so far, in order.
    var messages: [String] { lock.withLock { received } }
    /// Whether a message containing `fragment` arrived.
    func contains(_ fragment: String) -> Bool { messages.contains { $0.contains(fragment) } }
    /// How many messages contain `fragment`.
    func count(_ fragment: String) -> Int { messages.filter { $0.contains(fragment) }.count }
    /// Stops listening (the listener thread ends).
    func close() { shutdown(fd, Int32(SHUT_RDWR)); _ = Glibc.close(fd) }
}
