import Digests
import Foundation

/// The SHA-256 digest a manifest's `source` records for an imported file (OpenSSL's libcrypto, via Digests).
enum SourceDigest {
    /// Lower-case hexadecimal SHA-256 of `data` (64 characters), as `sha256sum` prints it.
    static func sha256(of data: Data) throws(DigestError) -> String {
        try SHA256Digest.hexadecimal(of: data)
    }
}
