/// FNV-1a, 64-bit: a tiny, exactly specified hash the Python fixture tools compute too (digests of pixel buffers,
/// seeds of the Caffe weight recipe).
public enum FNV1a {
    public static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    public static let prime: UInt64 = 0x100_0000_01B3

    /// The hash of `bytes`.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var value = offsetBasis
        for byte in bytes { value = (value ^ UInt64(byte)) &* prime }
        return value
    }

    /// The hash as 16 lower-case hexadecimal digits, as the tools print it.
    public static func hexDigest<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let text = String(hash(bytes), radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
