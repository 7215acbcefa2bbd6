import CFFmpeg
import Imaging

/// A decoded planar YUV frame kept as the decoder gave it (a new reference to its buffers, no copy), converted to RGB by
/// ``PlanarYUVConverter`` only when and where it is read: the whole picture, or single rows.
///
/// Immutable once made: the planes are only read, by any number of threads at once; the buffers go back to the
/// decoder's pool when the last reference is released.
final class DecodedPicture: @unchecked Sendable {
    private var frame: UnsafeMutablePointer<AVFrame>?
    private let planes: PlanarYUVConverter.Planes
    let converter: PlanarYUVConverter

    /// A new reference to `frame`'s buffers (nil if FFmpeg cannot make one, or a plane is missing).
    ///
    /// - Precondition: `frame` is planar YUV of `converter`'s size and chroma subsampling.
    init?(referencing frame: UnsafePointer<AVFrame>, converter: PlanarYUVConverter) {
        precondition(
            Int(frame.pointee.width) == converter.width && Int(frame.pointee.height) == converter.height,
            "DecodedPicture: the frame is not the converter's size")
        guard let copy = av_frame_clone(frame) else { return nil }
        guard let planes = PlanarYUVConverter.Planes(copy) else {
            var doomed: UnsafeMutablePointer<AVFrame>? = copy
            av_frame_free(&doomed)
            return nil
        }
        self.frame = copy
        self.converter = converter
        self.planes = planes
    }

    deinit { av_frame_free(&frame) }

    var width: Int { converter.width }
    var height: Int { converter.height }

    /// The whole picture in RGB.
    func image() -> RGBImage {
        withExtendedLifetime(self) { converter.image(of: planes) }
    }

    /// ``Imaging/RGBRowSource/withRows(_:)``: each row converted when asked for, into one row of scratch.
    func withRows<Result>(_ body: (_ row: (Int) -> UnsafePointer<UInt8>) throws -> Result) rethrows -> Result {
        let rows = PlanarYUVConverter.Rows(converter, planes: planes)
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: width * 3) { line in
            try withExtendedLifetime(self) {
                try body { y in
                    rows.convert(row: y, into: line.baseAddress!)
                    return UnsafePointer(line.baseAddress!)
                }
            }
        }
    }
}
