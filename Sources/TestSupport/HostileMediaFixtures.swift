import Foundation

/// Byte-level generators of hostile media inputs shared by the MediaIO and end-to-end tests: headers that lie about
/// sizes and rates, and seeded random bytes. Plain bytes only (no FFmpeg), so any test target can use them.
public enum HostileMediaFixtures {
    /// A YUV4MPEG2 stream header claiming `width × height` at `rate` (e.g. "25:1", "0:0"), followed by one frame
    /// of `payload` zero bytes (a whole 4:2:0 frame only when `payload` is `width·height·3/2`).
    public static func y4m(width: Int, height: Int, rate: String = "25:1", payload: Int = 1000) -> Data {
        Data("YUV4MPEG2 W\(width) H\(height) F\(rate) C420jpeg\nFRAME\n".utf8) + Data(count: payload)
    }

    /// A PNG whose IHDR claims `width × height` (8-bit RGB, CRC-checked) with a tiny, far too short IDAT.
    public static func png(width: UInt32, height: UInt32) -> Data {
        func bigEndian(_ value: UInt32) -> Data { withUnsafeBytes(of: value.bigEndian) { Data($0) } }
        func chunk(_ type: String, _ body: Data) -> Data {
            let typed = Data(type.utf8) + body
            return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
        }
        let header = bigEndian(width) + bigEndian(height) + Data([8, 2, 0, 0, 0])
        // A stored (uncompressed) zlib block of 16 zero bytes: far fewer than the header's size needs.
        let idat = Data([0x78, 0x01, 0x01, 0x10, 0x00, 0xEF, 0xFF]) + Data(count: 16) + bigEndian(0x0010_0001)
        return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + chunk("IHDR", header) + chunk("IDAT", idat) + chunk("IEND", Data())
    }

    /// `count` bytes from ``SplitMix64`` seeded with `seed` (the low byte of each draw), so a failure reproduces.
    public static func randomBytes(_ count: Int, seed: UInt64) -> Data {
        var generator = SplitMix64(seed: seed)
        return Data((0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
    }

    /// CRC-32 (ISO-HDLC, as PNG uses).
    public static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
