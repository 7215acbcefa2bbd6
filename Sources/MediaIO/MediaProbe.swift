/// The result of probing an input: what the container declares plus, where needed, what decoding found.
public struct MediaProbe: Sendable, Codable, Equatable {
    public var input: String
    public var container: String
    public var codec: String
    public var width: Int
    public var height: Int
    public var frameRate: Double?
    public var duration: Double?
    /// Frames in the stream: the container's count, or the number decoded when it states none (or when asked).
    public var frameCount: Int?
    /// `container` or `decoded`: where `frameCount` comes from.
    public var frameCountSource: String
    /// Problems met: corrupt packets, read errors, fewer frames than declared. Each distinct problem once, followed
    /// by "(N times)" when it occurred more than once.
    public var errors: [String]
    /// Decoded frames whose size differs from the frame before (the first frame: from `width` × `height`); empty when
    /// the size never changes or nothing was decoded. At most ``VideoReader/maximumSizeChanges`` entries.
    public var sizeChanges: [FrameSizeChange]

    /// Opens `input` and reports on its best video stream; decodes it all when `decode` is true or the container
    /// does not state a frame count. A read error after opening is reported in `errors` (frames read so far still
    /// counted); failing to open throws.
    public static func probe(_ input: String, decode: Bool = false, timeout: Double = 10) throws(MediaError) -> MediaProbe {
        let reader = try VideoReader(input: input, options: VideoReaderOptions(timeout: timeout, outputSize: (16, 16)))
        let info = reader.info
        var result = MediaProbe(
            input: input, container: info.container, codec: info.codec, width: info.width, height: info.height,
            frameRate: info.frameRate, duration: info.duration, frameCount: info.declaredFrameCount,
            frameCountSource: "container", errors: [], sizeChanges: [])
        guard decode else { return result }
        do {
            while try reader.nextFrame() != nil {}
        } catch {
            result.errors.append(error.message)
        }
        result.errors += reader.warnings
        result.sizeChanges = reader.sizeChanges
        result.frameCount = reader.decodedFrameCount
        result.frameCountSource = "decoded"
        return result
    }
}
