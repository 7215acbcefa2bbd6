import Foundation
import Imaging
import MediaIO
import Sinks

/// `ssdd annotate`'s drawing pass: reads the input again, frame by frame at its own size, draws on each frame the
/// detections of the latest processed frame at or before it (frames skipped by `--every`/`--fps` carry the last
/// boxes; frames before the first processed one carry none) and the stream's zones and lines, and encodes the
/// result at the input's size and exact frame rate (25 when the input states none): H.264 (libx264) when this
/// FFmpeg has it, MPEG-4 Part 2 otherwise. One output frame per decoded input frame, timestamps `n / rate`.
public struct VideoAnnotator: Sendable {
    /// What was written.
    public struct Summary: Sendable, Equatable {
        public var frames: Int
        public var width: Int
        public var height: Int
        public var frameRate: FrameRate
        public var codec: VideoWriter.Codec
    }

    public let input: String
    public let output: String
    /// Seconds a single open or read may block.
    public var timeout: Double = 10
    /// The zones and lines to draw for a frame size (``SceneOverlay/configured(for:width:height:)``).
    public var overlay: @Sendable (_ width: Int, _ height: Int) -> SceneOverlay = { _, _ in .empty }

    public init(input: String, output: String) {
        self.input = input
        self.output = output
    }

    /// The codec the output gets: libx264 when available, else MPEG-4 Part 2.
    public static var codec: VideoWriter.Codec { VideoWriter.isAvailable(.h264) ? .h264 : .mpeg4 }

    /// Draws `records` (frame records by frame index) into a copy of the input, on a thread of its own; `progress`
    /// gets each written frame count and the input's declared frame count. The output is removed when this fails.
    public func run(
        records: [Int: FrameRecord], progress: @escaping @Sendable (_ frames: Int, _ total: Int?) -> Void = { _, _ in }
    ) async throws -> Summary {
        try await runBlocking("ssdd-annotate") { [self] in
            do {
                return try write(records: records, progress: progress)
            } catch {
                unlink(output)
                throw error
            }
        }
    }

    private func write(records: [Int: FrameRecord], progress: @Sendable (Int, Int?) -> Void) throws -> Summary {
        let reader = try VideoReader(input: input, options: VideoReaderOptions(timeout: timeout))
        let rate = reader.info.exactFrameRate ?? FrameRate(25, 1)
        let codec = Self.codec
        let indices = records.keys.sorted()
        var next = 0
        var current: FrameRecord?
        var writer: VideoWriter?
        var written = 0
        var overlays: [Int: SceneOverlay] = [:]
        while let frame = try reader.nextFrame() {
            while next < indices.count && indices[next] <= frame.index {
                current = records[indices[next]]
                next += 1
            }
            var image = frame.image
            let key = image.width << 20 | image.height
            let overlay = overlays[key] ?? overlay(image.width, image.height)
            overlays[key] = overlay
            FrameAnnotations.draw(
                current?.detections ?? [], overlay: overlay, on: &image, sourceWidth: current?.width ?? image.width,
                sourceHeight: current?.height ?? image.height)
            if writer == nil {
                writer = try VideoWriter(
                    path: output, codec: codec, width: image.width, height: image.height, frameRate: rate, quality: codec == .h264 ? 18 : 3)
            }
            guard let writer, writer.width == image.width, writer.height == image.height else {
                throw MediaError(
                    .unsupported, input: input,
                    message:
                        "frame \(frame.index) is \(image.width)×\(image.height), the first was \(writer?.width ?? 0)×\(writer?.height ?? 0): annotate needs a constant frame size"
                )
            }
            try writer.append(image)
            written += 1
            progress(written, reader.info.declaredFrameCount)
        }
        guard let writer else { throw MediaError(.stream, input: input, message: "no frame to annotate") }
        try writer.finish()
        return Summary(frames: written, width: writer.width, height: writer.height, frameRate: rate, codec: codec)
    }
}
