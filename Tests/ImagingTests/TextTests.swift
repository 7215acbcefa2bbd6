import Geometry
import Imaging
import Testing

@Suite("The built-in bitmap font and labels")
struct TextTests {
    static func blank(width: Int, height: Int) -> RGBImage {
        RGBImage(width: width, height: height, pixels: [UInt8](repeating: 0, count: width * height * 3))
    }

    /// Pixels painted in `color`, as a set of (x, y).
    static func painted(_ image: RGBImage, _ color: RGBColor) -> Set<[Int]> {
        var result: Set<[Int]> = []
        for y in 0..<image.height {
            for x in 0..<image.width where image[x, y] == (color.red, color.green, color.blue) { result.insert([x, y]) }
        }
        return result
    }

    @Test("the table covers printable ASCII, 7 rows of 5 bits each")
    func table() {
        for code in UInt32(32)...126 {
            let rows = BitmapFont.rows(of: Unicode.Scalar(code)!)
            #expect(rows.count == 7)
            #expect(rows.allSatisfy { $0 < 0x20 }, "\(code)")
            #expect((code == 32) == rows.allSatisfy { $0 == 0 }, "only the space is blank: \(code)")
        }
        #expect(Array(BitmapFont.rows(of: "A")) == [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11])
        #expect(Array(BitmapFont.rows(of: "é")) == Array(BitmapFont.rows(of: "?")))
        #expect(Array(BitmapFont.rows(of: "\u{7F}")) == Array(BitmapFont.rows(of: "?")))
    }

    @Test("a drawn glyph is its table, pixel for pixel", arguments: ["A", "g", "0", "%", "~", "?"] as [Unicode.Scalar])
    func glyph(character: Unicode.Scalar) {
        var image = Self.blank(width: 8, height: 10)
        image.drawText(String(character), x: 2, y: 1, color: .white)
        var expected: Set<[Int]> = []
        for row in 0..<7 {
            for column in 0..<5 where BitmapFont.isInk(character, column: column, row: row) { expected.insert([2 + column, 1 + row]) }
        }
        #expect(!expected.isEmpty)
        #expect(Self.painted(image, .white) == expected)
        #expect(Self.painted(image, .black).count == 80 - expected.count)
    }

    @Test("scale 2 doubles every font pixel; glyphs advance by 6 font pixels")
    func scaleAndAdvance() {
        var image = Self.blank(width: 30, height: 16)
        image.drawText("I-", x: 0, y: 0, scale: 2, color: .white)
        var expected: Set<[Int]> = []
        for (index, character) in ["I", "-"].enumerated() {
            for row in 0..<7 {
                for column in 0..<5 where BitmapFont.isInk(Unicode.Scalar(character)!, column: column, row: row) {
                    for dy in 0..<2 { for dx in 0..<2 { expected.insert([index * 12 + column * 2 + dx, row * 2 + dy]) } }
                }
            }
        }
        #expect(Self.painted(image, .white) == expected)
    }

    @Test("text is clipped at every edge without crashing")
    func clippedText() {
        var image = Self.blank(width: 8, height: 6)
        image.drawText("HH", x: -3, y: -2, color: .white)
        // Shifted by (−3, −2), glyph row 3 of "H" (#####) lands on image row 1: columns 3, 4 of the first glyph, a gap,
        // then the second glyph from column 3.
        #expect(image[0, 1] == (255, 255, 255) && image[1, 1] == (255, 255, 255))
        #expect(image[2, 1] == (0, 0, 0), "the gap column between the glyphs")
        #expect(image[3, 1] == (255, 255, 255) && image[7, 1] == (255, 255, 255))
        var untouched = Self.blank(width: 8, height: 6)
        for (x, y) in [(Int.min, 0), (Int.max, 0), (0, Int.min), (0, Int.max), (8, 0), (0, 6), (-6, 0), (0, -7)] {
            untouched.drawText("W", x: x, y: y, color: .white)
        }
        untouched.drawText("W", x: 0, y: 0, scale: 0, color: .white)
        #expect(untouched == Self.blank(width: 8, height: 6))
    }

    @Test("a label sits above the box on a filled background")
    func labelAbove() {
        var image = Self.blank(width: 40, height: 30)
        image.drawLabel("A", for: Box(x1: 5, y1: 20, x2: 30, y2: 28), textColor: .white, background: .blue)
        // Background: 1 + 5 + 1 wide, 1 + 7 + 1 high, bottom edge on the box's top edge (row 20).
        let background = Self.painted(image, .blue).union(Self.painted(image, .white))
        var expected: Set<[Int]> = []
        for y in 11..<20 { for x in 5..<12 { expected.insert([x, y]) } }
        #expect(background == expected)
        #expect(Self.painted(image, .white).count == 18, "the ink of A")
        #expect(image[6, 15] == (255, 255, 255) && image[6, 12] == (0, 0, 255))
    }

    @Test("a label at the top edge goes inside the box, and stays inside the image at the right edge")
    func labelInside() {
        var image = Self.blank(width: 20, height: 20)
        image.drawLabel("AB", for: Box(x1: 15, y1: 3, x2: 20, y2: 19), textColor: .white, background: .blue)
        let background = Self.painted(image, .blue).union(Self.painted(image, .white))
        var expected: Set<[Int]> = []
        for y in 3..<12 { for x in 7..<20 { expected.insert([x, y]) } }
        #expect(background == expected)
    }

    @Test("a label longer than the image is cut, not drawn past it")
    func longLabel() {
        var image = Self.blank(width: 20, height: 20)
        image.drawLabel(String(repeating: "W", count: 100_000), for: Box(x1: 0, y1: 10, x2: 5, y2: 15), textColor: .white, background: .blue)
        #expect(Self.painted(image, .blue).union(Self.painted(image, .white)).count == 20 * 9)
    }
}
