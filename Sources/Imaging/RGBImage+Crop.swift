import Geometry

extension RGBImage {
    /// The pixels `box` covers (its edges rounded to the nearest pixel boundary, as ``fill(_:color:)`` paints them),
    /// clipped to the image, as a new image; nil when that leaves no pixel (a non-finite, inverted or outside box).
    public func cropped(to box: Box) -> RGBImage? {
        guard let rect = PixelRect(covering: box)?.clipped(width: width, height: height), !rect.isEmpty else { return nil }
        var result = [UInt8](repeating: 0, count: rect.width * rect.height * 3)
        let rowBytes = rect.width * 3
        pixels.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for row in 0..<rect.height {
                    let from = ((rect.top + row) * width + rect.left) * 3
                    let to = row * rowBytes
                    for i in 0..<rowBytes { target[to + i] = source[from + i] }
                }
            }
        }
        return RGBImage(width: rect.width, height: rect.height, pixels: result)
    }
}
