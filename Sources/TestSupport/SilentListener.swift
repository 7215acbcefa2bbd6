import Foundation

/// A TCP listener on loopback that accepts connections (through the kernel backlog) and never sends a byte: the peer
/// that makes an open or read wait until its timeout.
///
/// - Important: the descriptor is not closed when the value goes away (a test may hand only the URL on); call
///   ``close()``, or let it live as long as the test process.
public final class SilentListener: Sendable {
    /// The listening descriptor.
    public let descriptor: Int32
    /// The loopback port it listens on.
    public let port: Int

    /// Listens on 127.0.0.1 at a port the kernel picks.
    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard descriptor >= 0, bound == 0, listen(descriptor, 8) == 0 else {
            if descriptor >= 0 { Glibc.close(descriptor) }
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Stops listening.
    public func close() { _ = Glibc.close(descriptor) }
}
