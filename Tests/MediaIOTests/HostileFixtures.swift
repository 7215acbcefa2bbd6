import Foundation
import MediaIO

/// Generators for hostile video files made through libavcodec: cut files, unknown codecs, zero time scales, size
/// changes (byte-level lies are in TestSupport's ``HostileMediaFixtures``).
enum HostileFixtures {
    /// Writes `contents` to a fresh scratch file named `name`; returns its path.
    static func file(_ name: String, _ contents: Data) throws -> String {
        let url = FixtureVideos.temporaryDirectory().appendingPathComponent(name)
        try contents.write(to: url)
        return url.path
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
}
