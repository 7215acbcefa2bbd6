import CLibCrypto
import Foundation

/// SHA-256 (FIPS 180-4) by OpenSSL's libcrypto, the digest `sha256sum` prints.
public enum SHA256Digest {
    /// Lower-case hexadecimal SHA-256 of `data` (64 characters).
    public static func hexadecimal(of data: Data) throws(DigestError) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = data.withUnsafeBytes { bytes in
            // An empty buffer may have no base address; libcrypto accepts a null pointer with a zero count.
            EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil)
        }
        guard status == 1, length == 32 else {
            throw DigestError(library: libraryReason(), length: Int(length))
        }
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest.prefix(32) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The reason libcrypto queued for its last failure on this thread, if any.
    private static func libraryReason() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "no reason given" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// libcrypto could not compute a digest (in practice only when it cannot allocate).
public struct DigestError: Error, CustomStringConvertible {
    /// libcrypto's reason.
    public let library: String
    /// The digest length it reported.
    public let length: Int

    public var description: String { "SHA-256 failed in libcrypto (\(library); digest length \(length))" }
}
