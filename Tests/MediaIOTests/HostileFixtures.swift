import Foundation
import MediaIO

/// Generators for hostile inputs: headers that lie about sizes and rates, random bytes, cut files, unknown codecs.
enum HostileFixtures {
    /// Writes `contents` to a fresh scratch file named `name`; returns its path.
    static func file(_ name: String, _ contents: Data) throws -> String {
        let url = FixtureVideos.temporaryDirectory().appendingPathComponent(name)
        try contents.write(to: url)
        return url.path
    }

    /// A YUV4MPEG2 stream header claiming `width × height` at `rate` (e.g. "25:1", "0:0"), followed by one frame
    /// of `payload` zero bytes (a whole 4:2:0 frame only when `payload` is `width·height·3/2`).
    static func y4m(width: Int, height: Int, rate: String = "25:1", payload: Int = 1000) -> Data {
        Data("YUV4MPEG2 W\(width) H\(height) F\(rate) C420jpeg\nFRAME\n".utf8) + Data(count: payload)
    }

    /// A PNG whose IHDR claims `width × height` (8-bit RGB) with a tiny, far too short IDAT.
    static func png(width: UInt32, height: UInt32) -> Data {
        func bigEndian(_ value: UInt32) -> Data { withUnsafeBytes(of: value.bigEndian) { Data($0) } }
        func chunk(_ type: String, _ body: Data) -> Data {
            let typed = Data(type.utf8) + body
            return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
        }
        let header = bigEndian(width) + bigEndian(height) + Data([8, 2, 0, 0, 0])
        // A stored (uncompressed) zlib block of 16 zero bytes.
        let idat = Data([0x78, 0x01, 0x01, 0x10, 0x00, 0xEF, 0xFF]) + Data(count: 16) + bigEndian(0x0010_0001)
        return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + chunk("IHDR", header) + chunk("IDAT", idat) + chunk("IEND", Data())
    }

    /// Bytes from a fixed seed, so a failure reproduces.
    static func randomBytes(_ count: Int, seed: UInt64) -> Data {
        var state = seed
        return Data((0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt8(truncatingIfNeeded: z ^ (z >> 31))
        })
    }

    /// An MPEG-4 AVI whose codec tag is replaced by "ZZZZ", a codec no FFmpeg decodes.
    static func unknownCodecAVI() throws -> Data {
        let path = try FixtureVideos.make(.mpeg4, extension: "avi", frames: 5)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        for tag in ["FMP4", "fmp4"] {
            while let range = data.range(of: Data(tag.utf8)) { data.replaceSubrange(range, with: Data("ZZZZ".utf8)) }
        }
        return data
    }

    /// An MP4 (H.264) whose media and movie time scales are both 0.
    static func zeroTimeScaleMP4() throws -> Data {
        let path = try FixtureVideos.make(.h264, extension: "mp4", frames: 10)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        for box in ["mdhd", "mvhd"] {
            guard let range = data.range(of: Data(box.utf8)) else { continue }
            let version = data[range.upperBound]
            // version+flags (4), creation and modification times (4 or 8 each), then the time scale.
            let scale = range.upperBound + 4 + (version == 1 ? 16 : 8)
            data.replaceSubrange(scale..<scale + 4, with: Data(count: 4))
        }
        return data
    }

    /// Two MPEG-TS clips (MPEG-4 video) of different sizes, one after the other: the size changes at frame `frames`.
    static func sizeChangeTS(frames: Int = 10) throws -> Data {
        var data = Data()
        for (width, height) in [(64, 48), (96, 64)] {
            let path = FixtureVideos.temporaryDirectory().appendingPathComponent("part-\(width).ts").path
            let writer = try VideoWriter(path: path, codec: .mpeg4, width: width, height: height, framesPerSecond: 25, quality: 2)
            for i in 0..<frames { try writer.append(FixtureVideos.frame(width: width, height: height, index: i)) }
            try writer.finish()
            data += try Data(contentsOf: URL(fileURLWithPath: path))
        }
        return data
    }

    /// CRC-32 (ISO-HDLC, as PNG uses).
    private static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
