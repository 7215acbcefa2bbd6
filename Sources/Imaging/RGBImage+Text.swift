import Geometry

extension RGBImage {
    /// Largest magnification of the built-in font: 32 × 7 = 224 pixels per line of text.
    public static let maximumTextScale = 32

    /// Draws `text` in the built-in 5×7 font (``BitmapFont``) with the top-left of its first glyph at (`x`, `y`),
    /// each font pixel a `scale × scale` square (limited to ``maximumTextScale``); only the ink is painted, clipped to
    /// the image. Characters outside printable ASCII are drawn as `?`. A scale below 1 draws nothing.
    public mutating func drawText(_ text: String, x: Int, y: Int, scale: Int = 1, color: RGBColor) {
        guard scale >= 1 else { return }
        let scale = min(scale, Self.maximumTextScale)
        let limit = PixelRect.limit
        guard (-limit...limit).contains(x), (-limit...limit).contains(y) else { return }
        guard y < height, y + BitmapFont.glyphHeight * scale > 0 else { return }
        var cursor = x
        for character in text.unicodeScalars {
            if cursor >= width { break }
            if cursor + BitmapFont.glyphWidth * scale > 0 { drawGlyph(character, x: cursor, y: y, scale: scale, color: color) }
            cursor += BitmapFont.advance * scale
        }
    }

    /// Draws `text` on a filled `background` rectangle attached to the top-left corner of `box`: above the box when
    /// there is room above it in the image, otherwise inside the box at its top. The rectangle has a margin of
    /// `scale` pixels around the text and is moved left, if needed, to stay in the image. Nothing is drawn for a box
    /// that ``strokeRectangle(_:thickness:color:)`` would not draw or that lies outside the image, nor for empty text.
    public mutating func drawLabel(_ text: String, for box: Box, scale: Int = 1, textColor: RGBColor, background: RGBColor) {
        guard scale >= 1, !text.isEmpty, let rect = PixelRect(covering: box), !rect.clipped(width: width, height: height).isEmpty else { return }
        let scale = min(scale, Self.maximumTextScale)
        let characters = min(text.unicodeScalars.count, width / (BitmapFont.advance * scale) + 1)
        let labelWidth = characters * BitmapFont.advance * scale - scale + 2 * scale
        let labelHeight = BitmapFont.glyphHeight * scale + 2 * scale
        let left = max(0, min(rect.left, width - labelWidth))
        let top = rect.top - labelHeight >= 0 ? rect.top - labelHeight : max(rect.top, 0)
        fill(PixelRect(left: left, top: top, right: left + labelWidth, bottom: top + labelHeight), color: background)
        drawText(
            String(String.UnicodeScalarView(text.unicodeScalars.prefix(characters))), x: left + scale, y: top + scale, scale: scale, color: textColor)
    }

    /// Paints the ink of one glyph.
    private mutating func drawGlyph(_ character: Unicode.Scalar, x: Int, y: Int, scale: Int, color: RGBColor) {
        let rows = BitmapFont.rows(of: character)
        for (row, bits) in rows.enumerated() where bits != 0 {
            for column in 0..<BitmapFont.glyphWidth where bits & (0x10 >> UInt8(column)) != 0 {
                let left = x + column * scale, top = y + row * scale
                fill(PixelRect(left: left, top: top, right: left + scale, bottom: top + scale), color: color)
            }
        }
    }
}
