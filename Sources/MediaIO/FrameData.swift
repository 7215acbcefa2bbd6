import CFFmpeg
import Imaging

/// Access to `AVFrame.data` / `AVFrame.linesize`, which Swift imports as 8-tuples, as contiguous C arrays.
///
/// - Important: the pointers are valid only while `frame` is alive and unchanged; do not keep them.
enum FrameData {
    static func planes(_ frame: UnsafeMutablePointer<AVFrame>) -> UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?> {
        UnsafeMutableRawPointer(frame).advanced(by: MemoryLayout<AVFrame>.offset(of: \AVFrame.data)!)
            .assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self)
    }

    static func lineSizes(_ frame: UnsafeMutablePointer<AVFrame>) -> UnsafeMutablePointer<Int32> {
        UnsafeMutableRawPointer(frame).advanced(by: MemoryLayout<AVFrame>.offset(of: \AVFrame.linesize)!)
            .assumingMemoryBound(to: Int32.self)
    }

    /// Converts `image` (packed RGB24, its own size) into `frame`'s planes with `scaler` (a swscale context from RGB24
    /// at that size to the frame's format); returns the number of rows swscale wrote (the image's height on success).
    static func scale(_ image: RGBImage, with scaler: OpaquePointer?, into frame: UnsafeMutablePointer<AVFrame>) -> Int32 {
        image.pixels.withUnsafeBufferPointer { buffer in
            var source: [UnsafePointer<UInt8>?] = [buffer.baseAddress, nil, nil, nil]
            var stride: [Int32] = [Int32(image.width * 3), 0, 0, 0]
            return sws_scale(scaler, &source, &stride, 0, Int32(image.height), planes(frame), lineSizes(frame))
        }
    }
}

extension PlanarYUVConverter.Planes {
    /// The first three planes of `frame` (nil if one is missing); valid while `frame` is alive and unchanged.
    init?(_ frame: UnsafePointer<AVFrame>) {
        let f = frame.pointee
        guard let luma = f.data.0, let u = f.data.1, let v = f.data.2 else { return nil }
        self.init(luma: luma, lumaStride: Int(f.linesize.0), u: u, uStride: Int(f.linesize.1), v: v, vStride: Int(f.linesize.2))
    }
}
