import Foundation

/// A minimal blocking RFC 6455 client for tests: the opening handshake (with the `Sec-WebSocket-Accept` check),
/// masked frames out, frames in. Tests can also send what a browser never would (unmasked, binary, fragmented,
/// oversized frames) and stop reading to play a slow consumer. Run it with ``RawSocketClient/offPool(_:)``.
public final class WebSocketTestClient: @unchecked Sendable {
    /// One received frame.
    public struct Frame: Sendable, Equatable {
        public let fin: Bool
        public let opcode: UInt8
        public let payload: [UInt8]
        public var text: String { String(decoding: payload, as: UTF8.self) }
        /// The status code of a close frame.
        public var closeCode: Int? {
            opcode == Opcode.close && payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
        }
    }

    /// Frame opcodes.
    public enum Opcode {
        public static let continuation: UInt8 = 0x0
        public static let text: UInt8 = 0x1
        public static let binary: UInt8 = 0x2
        public static let close: UInt8 = 0x8
        public static let ping: UInt8 = 0x9
        public static let pong: UInt8 = 0xA
    }

    /// A failed handshake or read.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        /// The HTTP answer when the server refused the upgrade.
        public let response: HTTPTestClient.Response?
    }

    public let http: HTTPTestClient
    private var pending: [UInt8] = []

    /// Connects to 127.0.0.1:`port` and upgrades `target` to a WebSocket.
    /// - Throws: ``Failure`` with the server's answer when it is not `101` with the right `Sec-WebSocket-Accept`.
    public init(port: Int, target: String = "/api/v1/feed", headers: [(String, String)] = []) throws {
        http = try HTTPTestClient(port: port)
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let response = try http.request(
            "GET", target,
            headers: [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", "13")] + headers)
        guard response.status == 101 else {
            throw Failure(description: "upgrade refused with \(response.status): \(response.text)", response: response)
        }
        let expected = Data(SHA1.digest(Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
        guard response.header("Sec-WebSocket-Accept") == expected, response.header("Upgrade")?.lowercased() == "websocket" else {
            throw Failure(description: "bad handshake answer: \(response.headers)", response: response)
        }
        pending = http.takeBuffered()
    }

    /// Sends one frame; `masked: false` sends what only a broken client would.
    public func send(opcode: UInt8, payload: [UInt8], fin: Bool = true, masked: Bool = true) throws {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        switch payload.count {
        case 0..<126: frame.append(maskBit | UInt8(payload.count))
        case 126..<65536: frame += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default:
            frame.append(maskBit | 127)
            frame += (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(payload.count) >> UInt64($0 * 8)) }
        }
        if masked {
            let key = (0..<4).map { _ in UInt8.random(in: 0...255) }
            frame += key
            frame += payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
        } else {
            frame += payload
        }
        if let error = http.socket.send(frame) { throw Failure(description: "send failed: errno \(error)", response: nil) }
    }

    /// Sends a text message.
    public func send(text: String) throws { try send(opcode: Opcode.text, payload: Array(text.utf8)) }

    /// The next frame from the server.
    public func readFrame() throws -> Frame {
        try fill(2)
        let fin = pending[0] & 0x80 != 0
        let opcode = pending[0] & 0x0F
        guard pending[1] & 0x80 == 0 else { throw Failure(description: "the server masked a frame", response: nil) }
        var length = Int(pending[1] & 0x7F)
        var offset = 2
        if length == 126 {
            try fill(4)
            length = Int(pending[2]) << 8 | Int(pending[3])
            offset = 4
        } else if length == 127 {
            try fill(10)
            length = pending[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        guard length <= 1 << 26 else { throw Failure(description: "frame of \(length) bytes", response: nil) }
        try fill(offset + length)
        let payload = Array(pending[offset..<offset + length])
        pending.removeFirst(offset + length)
        return Frame(fin: fin, opcode: opcode, payload: payload)
    }

    /// The next text message (pings and pongs skipped); nil when a close frame came instead (then `lastClose` has it,
    /// and the client has answered it with its own close frame, as RFC 6455 §5.5.1 asks).
    public func readText() throws -> String? {
        while true {
            let frame = try readFrame()
            switch frame.opcode {
            case Opcode.text: return frame.text
            case Opcode.close:
                lastClose = frame
                try? send(opcode: Opcode.close, payload: Array(frame.payload.prefix(2)))
                return nil
            case Opcode.ping, Opcode.pong: continue
            default: throw Failure(description: "unexpected frame opcode \(frame.opcode)", response: nil)
            }
        }
    }

    /// The close frame `readText()` stopped at.
    public private(set) var lastClose: Frame?

    /// Every text message until the close frame, then the close frame.
    public func readUntilClose() throws -> (messages: [String], close: Frame?) {
        var messages: [String] = []
        while let text = try readText() { messages.append(text) }
        return (messages, lastClose)
    }

    /// Whether the server closed the TCP connection (end of file or reset) after everything was read.
    public func isClosedByServer() -> Bool {
        guard pending.isEmpty else { return false }
        return http.isClosedByServer()
    }

    public func close() { http.close() }

    private func fill(_ count: Int) throws {
        while pending.count < count {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let received = buffer.withUnsafeMutableBytes { recv(http.socket.fd, $0.baseAddress, $0.count, 0) }
            if received > 0 {
                pending += buffer[..<received]
            } else if received < 0, errno == EINTR {
                continue
            } else {
                throw Failure(description: received == 0 ? "connection closed" : "recv failed: errno \(errno)", response: nil)
            }
        }
    }
}
