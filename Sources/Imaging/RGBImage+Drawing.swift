import Geometry

extension RGBImage {
    /// Paints the pixels `box` covers with `color`, clipped to the image.
    ///
    /// A box covers the pixels between its edges rounded to the nearest pixel boundary: `Box(x1: 1, y1: 1, x2: 4,
    /// y2: 3)` covers columns 1 … 3 and rows 1 … 2. A box with a NaN or infinite corner, an inverted box and one that
    /// covers no whole pixel draw nothing; huge coordinates are clipped.
    public mutating func fill(_ box: Box, color: RGBColor) {
        guard let rect = PixelRect(covering: box) else { return }
        fill(rect, color: color)
    }

    /// Draws the outline of `box`: bands `thickness` pixels wide along the inside of the pixels it covers (see
    /// ``fill(_:color:)``), clipped to the image, so a side outside the image is not drawn. A thickness of at least half
    /// the box fills it; a thickness below 1, a non-finite, inverted or empty box draw nothing.
    public mutating func strokeRectangle(_ box: Box, thickness: Int = 1, color: RGBColor) {
        guard thickness >= 1, let rect = PixelRect(covering: box) else { return }
        let horizontal = min(thickness, rect.height), vertical = min(thickness, rect.width)
        fill(PixelRect(left: rect.left, top: rect.top, right: rect.right, bottom: rect.top + horizontal), color: color)
        fill(PixelRect(left: rect.left, top: rect.bottom - horizontal, right: rect.right, bottom: rect.bottom), color: color)
        fill(PixelRect(left: rect.left, top: rect.top, right: rect.left + vertical, bottom: rect.bottom), color: color)
        fill(PixelRect(left: rect.right - vertical, top: rect.top, right: rect.right, bottom: rect.bottom), color: color)
    }

    /// Paints the part of `rect` inside the image.
    mutating func fill(_ rect: PixelRect, color: RGBColor) {
        let visible = rect.clipped(width: width, height: height)
        guard !visible.isEmpty else { return }
        let rowLength = width * 3
        pixels.withUnsafeMutableBufferPointer { buffer in
            for y in visible.top..<visible.bottom {
                var i = y * rowLength + visible.left * 3
                for _ in visible.left..<visible.right {
                    buffer[i] = color.red
                    buffer[i + 1] = color.green
                    buffer[i + 2] = color.blue
                    i += 3
                }
            }
        }
    }
}
