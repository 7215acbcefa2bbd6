import Foundation

/// Loopback TCP ports for servers a test starts later (a child process, a broker restarted on the same port).
///
/// A port the kernel hands out for `bind(port: 0)` lies in the ephemeral range (`ip_local_port_range`, 32768–60999 on
/// Linux), which the kernel also uses as the local port of every outgoing connection: between releasing such a port
/// and a server binding it, another test's connection can take it (seen under a full parallel run). So the ports here
/// are drawn below that range, where the kernel never assigns one by itself, and checked free by binding them.
public enum LoopbackPort {
    /// The ports drawn from: registered ports below Linux's default ephemeral range.
    public static let range = 20_000..<32_768

    /// A port on 127.0.0.1 that nothing was bound to when checked.
    public static func unused() -> Int {
        while true {
            let port = Int.random(in: range)
            if isFree(port) { return port }
        }
    }

    /// Whether `port` can be bound on 127.0.0.1 now.
    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
