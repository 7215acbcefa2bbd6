import Crypto
import Foundation

/// The SHA-256 digest a manifest's `source` records for an imported file, computed by swift-crypto (BoringSSL's
/// implementation on Linux, CryptoKit on Apple platforms).
enum SourceDigest {
    /// Lower-case hexadecimal SHA-256 of `data` (64 characters), as `sha256sum` prints it.
    static func sha256(of data: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in SHA256.hash(data: data) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
