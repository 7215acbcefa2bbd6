import Imaging

/// Image files (JPEG, PNG, …) read through the same FFmpeg demuxer and decoder as videos.
public enum StillImage {
    /// Decodes the first picture of the file at `path`, at its own size.
    ///
    /// - Throws: ``MediaError`` naming `path` when the file cannot be opened or decoded, or holds no picture.
    public static func decode(_ path: String) throws(MediaError) -> RGBImage {
        let reader = try VideoReader(input: path)
        guard let frame = try reader.nextFrame() else { throw MediaError(.stream, input: path, message: "no picture in the file") }
        return frame.image
    }
}
