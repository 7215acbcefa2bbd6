import Geometry
import Imaging
import Testing

@Suite("Drawing rectangles on an RGBImage")
struct DrawingTests {
    static let blank = RGBImage(width: 6, height: 5, pixels: [UInt8](repeating: 0, count: 6 * 5 * 3))

    /// The image as rows of characters: `.` black, `#` the colour under test (red), `?` anything else.
    static func picture(_ image: RGBImage) -> [String] {
        (0..<image.height).map { y in
            String(
                (0..<image.width).map { x -> Character in
                    switch image[x, y] {
                    case (0, 0, 0): "."
                    case (255, 0, 0): "#"
                    default: "?"
                    }
                })
        }
    }

    @Test("a 1-pixel outline covers exactly the border pixels of the box")
    func onePixelOutline() {
        var image = Self.blank
        image.strokeRectangle(Box(x1: 1, y1: 1, x2: 4, y2: 4), color: .red)
        #expect(Self.picture(image) == ["......", ".###..", ".#.#..", ".###..", "......"])
    }

    @Test("edges round to the nearest pixel boundary")
    func rounding() {
        var image = Self.blank
        image.strokeRectangle(Box(x1: 0.6, y1: 0.5, x2: 4.4, y2: 3.49), color: .red)
        #expect(Self.picture(image) == ["......", ".###..", ".###..", "......", "......"])
    }

    @Test("a thick outline grows inwards and fills a box thinner than twice its thickness")
    func thickness() {
        var image = Self.blank
        image.strokeRectangle(Box(x1: 0, y1: 0, x2: 6, y2: 5), thickness: 2, color: .red)
        #expect(Self.picture(image) == ["######", "######", "##..##", "######", "######"])
        var filled = Self.blank
        filled.strokeRectangle(Box(x1: 1, y1: 1, x2: 4, y2: 4), thickness: .max, color: .red)
        #expect(Self.picture(filled) == ["......", ".###..", ".###..", ".###..", "......"])
    }

    @Test("sides outside the image are clipped away")
    func clipping() {
        var image = Self.blank
        image.strokeRectangle(Box(x1: -2, y1: -2, x2: 3, y2: 3), color: .red)
        #expect(Self.picture(image) == ["..#...", "..#...", "###...", "......", "......"])
        var right = Self.blank
        right.strokeRectangle(Box(x1: 3, y1: 2, x2: 9, y2: 8), color: .red)
        #expect(Self.picture(right) == ["......", "......", "...###", "...#..", "...#.."])
    }

    @Test("fill paints the covered pixels, clipped")
    func fill() {
        var image = Self.blank
        image.fill(Box(x1: 4, y1: -3, x2: 100, y2: 2), color: .red)
        #expect(Self.picture(image) == ["....##", "....##", "......", "......", "......"])
        var everything = Self.blank
        everything.fill(Box(x1: -1e300, y1: -1e300, x2: 1e300, y2: 1e300), color: .red)
        #expect(Self.picture(everything) == Array(repeating: "######", count: 5))
    }

    @Test(
        "hostile boxes draw nothing and do not crash",
        arguments: [
            Box(x1: .nan, y1: 0, x2: 3, y2: 3), Box(x1: 0, y1: 0, x2: .infinity, y2: 3), Box(x1: -.infinity, y1: -.infinity, x2: 2, y2: 2),
            Box(x1: 4, y1: 1, x2: 1, y2: 4), Box(x1: 1, y1: 1, x2: 1.2, y2: 4), Box(x1: 7, y1: 0, x2: 9, y2: 3),
            Box(x1: 1e18, y1: 1e18, x2: 2e18, y2: 2e18), Box(x1: -.greatestFiniteMagnitude, y1: 0, x2: -1e300, y2: 3),
        ])
    func hostileBoxes(box: Box) {
        var image = Self.blank
        image.strokeRectangle(box, thickness: 3, color: .red)
        image.drawLabel("person 0.91", for: box, textColor: .red, background: .red)
        #expect(image == Self.blank, "\(box)")
        if !box.isFinite || box.isEmpty {
            image.fill(box, color: .red)
            #expect(image == Self.blank, "\(box)")
        }
    }

    @Test("a box far larger than the image has no visible sides; its label goes inside at the top left")
    func hugeBox() {
        let huge = Box(x1: -1e300, y1: -1e300, x2: 1e300, y2: 1e300)
        var image = RGBImage(width: 12, height: 12, pixels: [UInt8](repeating: 0, count: 12 * 12 * 3))
        let blank = image
        image.strokeRectangle(huge, thickness: 4, color: .red)
        #expect(image == blank)
        image.drawLabel("i", for: huge, textColor: .white, background: .red)
        // 1 + 5 + 1 by 1 + 7 + 1 pixels of background at the top-left corner.
        #expect(image[0, 0] == (255, 0, 0) && image[6, 8] == (255, 0, 0) && image[7, 0] == (0, 0, 0) && image[0, 9] == (0, 0, 0))
    }

    @Test("a thickness below 1 draws nothing")
    func noThickness() {
        var image = Self.blank
        image.strokeRectangle(Box(x1: 0, y1: 0, x2: 6, y2: 5), thickness: 0, color: .red)
        image.strokeRectangle(Box(x1: 0, y1: 0, x2: 6, y2: 5), thickness: .min, color: .red)
        #expect(image == Self.blank)
    }
}
