import Foundation
import Imaging
import MediaIO

/// Decode + resize throughput of a video, per resize path (for `ssdd bench --video`).
enum DecodeBenchmark {
    struct Result {
        let path: String
        let frames: Int
        let seconds: Double
    }

    /// Decodes `input` once per resize path and reports frames/s: swscale straight to the network size, each exact
    /// bilinear kernel on the decoded frame (converting only the rows it reads, as the detectors do), and RGB at the
    /// source size.
    static func run(input: String, width: Int, height: Int, decoderThreads: Int) throws -> [Result] {
        var results: [Result] = []
        // The exact resizes write into one buffer, as the detectors write into their input tensor's storage.
        var tensor = [Float](repeating: 0, count: width * height * 3)
        func measure(_ name: String, outputSize: (Int, Int)?, resize: ((FramePixels, UnsafeMutableBufferPointer<Float>) -> Void)?) throws {
            let reader = try VideoReader(input: input, options: VideoReaderOptions(decoderThreads: decoderThreads, outputSize: outputSize))
            let start = DispatchTime.now().uptimeNanoseconds
            var frames = 0
            var checksum: Float = 0
            while let frame = try reader.nextFrame() {
                if let resize {
                    tensor.withUnsafeMutableBufferPointer { resize(frame.pixels, $0) }
                    checksum += tensor[0]
                } else {
                    checksum += Float(frame.image.pixels[0])
                }
                frames += 1
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            results.append(Result(path: name, frames: frames, seconds: seconds))
            _ = checksum  // keeps the resize from being optimised away
        }
        try measure("decode + swscale bilinear → \(width)x\(height) RGB", outputSize: (width, height), resize: nil)
        try measure("decode → exact TF1 legacy bilinear → \(width)x\(height) float", outputSize: nil) {
            BilinearResizer.resize($0, width: width, height: height, convention: .tensorFlowLegacy, into: $1)
        }
        try measure("decode → exact half-pixel (torchvision) bilinear → \(width)x\(height) float", outputSize: nil) {
            BilinearResizer.resize($0, width: width, height: height, convention: .halfPixel, into: $1)
        }
        try measure("decode → RGB at source size (no resize)", outputSize: nil, resize: nil)
        return results
    }
}
