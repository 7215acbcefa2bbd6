/// A `HOST:PORT` listen address as `[http] address` writes it: `127.0.0.1:8080`, `localhost:8080`, `0.0.0.0:8080`,
/// or an IPv6 address in brackets, `[::1]:8080` (the brackets are not part of ``host``). Port 0 lets the kernel pick
/// one (the daemon logs the port it got).
struct ListenAddress: Sendable, Equatable {
    /// The host name or address, without brackets.
    let host: String
    /// 0 … 65535.
    let port: Int

    /// Parses `text`, or returns why it is not an address (for the configuration error).
    static func parse(_ text: String) -> Result<ListenAddress, ListenAddressError> {
        guard let colon = text.lastIndex(of: ":") else { return .failure(.init("expected HOST:PORT, got '\(text)'")) }
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), let port = Int(portText), (0...65535).contains(port) else {
            return .failure(.init("expected a port 0 … 65535 after the last ':', got '\(text)'"))
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") || host.hasSuffix("]") {
            guard host.count > 2, host.hasPrefix("["), host.hasSuffix("]") else {
                return .failure(.init("an IPv6 address goes in brackets, e.g. [::1]:8080; got '\(text)'"))
            }
            host = String(host.dropFirst().dropLast())
            // An address of hex digits, ':' and '.' (an IPv4 tail), optionally with a zone: `fe80::1%eth0`.
            let parts = host.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)
            let address = parts[0]
            let zone = parts.count > 1 ? parts[1] : "x"
            let addressValid = address.contains(":") && address.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
            let zoneValid = !zone.isEmpty && zone.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
            guard addressValid, zoneValid else {
                return .failure(.init("'\(host)' in brackets is not an IPv6 address"))
            }
        } else {
            guard !host.isEmpty else { return .failure(.init("the host is missing (e.g. 127.0.0.1:\(port)); got '\(text)'")) }
            guard !host.contains(":") else {
                return .failure(.init("an IPv6 address goes in brackets, e.g. [::1]:\(port); got '\(text)'"))
            }
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
                return .failure(.init("'\(host)' is not a host name or address"))
            }
        }
        return .success(ListenAddress(host: host, port: port))
    }

    /// The address as written in the configuration (IPv6 in brackets).
    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Why a listen address was refused.
struct ListenAddressError: Error, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}
