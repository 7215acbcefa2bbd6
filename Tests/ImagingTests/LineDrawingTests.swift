import Geometry
import Imaging
import Testing

@Suite("Drawing lines, polygons, arrows and outlined shapes on an RGBImage")
struct LineDrawingTests {
    /// A white image of `width × height`.
    static func white(_ width: Int, _ height: Int) -> RGBImage {
        RGBImage(width: width, height: height, pixels: [UInt8](repeating: 255, count: width * height * 3))
    }

    /// The image as rows of characters: `.` white, `#` red, `o` black, `?` anything else.
    static func picture(_ image: RGBImage) -> [String] {
        (0..<image.height).map { y in
            String(
                (0..<image.width).map { x -> Character in
                    switch image[x, y] {
                    case (255, 255, 255): "."
                    case (255, 0, 0): "#"
                    case (0, 0, 0): "o"
                    default: "?"
                    }
                })
        }
    }

    static let red = StrokeStyle(color: .red)

    static func p(_ x: Int, _ y: Int) -> PixelPoint { PixelPoint(x: x, y: y) }

    @Test("a 1-pixel line paints exactly the pixels Bresenham visits, both ends included")
    func thinLines() {
        var horizontal = Self.white(6, 5)
        horizontal.drawLine(from: Self.p(1, 2), to: Self.p(4, 2), style: Self.red)
        #expect(Self.picture(horizontal) == ["......", "......", ".####.", "......", "......"])
        var diagonal = Self.white(6, 5)
        diagonal.drawLine(from: Self.p(0, 0), to: Self.p(4, 4), style: Self.red)
        #expect(Self.picture(diagonal) == ["#.....", ".#....", "..#...", "...#..", "....#."])
        var shallow = Self.white(6, 3)
        shallow.drawLine(from: Self.p(0, 0), to: Self.p(5, 2), style: Self.red)
        #expect(Self.picture(shallow) == ["##....", "..##..", "....##"])
    }

    @Test("a thick line paints a thickness-wide square around every visited pixel")
    func thickLines() {
        var three = Self.white(6, 5)
        three.drawLine(from: Self.p(1, 2), to: Self.p(3, 2), style: StrokeStyle(color: .red, thickness: 3))
        #expect(Self.picture(three) == ["......", "#####.", "#####.", "#####.", "......"])
        var two = Self.white(4, 4)
        two.drawLine(from: Self.p(2, 2), to: Self.p(2, 2), style: StrokeStyle(color: .red, thickness: 2))
        #expect(Self.picture(two) == ["....", ".##.", ".##.", "...."])
    }

    @Test("an outline rims the stroke by one pixel on every side")
    func outlinedLine() {
        var image = Self.white(6, 5)
        image.drawLine(from: Self.p(1, 2), to: Self.p(3, 2), style: StrokeStyle(color: .red, outline: .black))
        #expect(Self.picture(image) == ["......", "ooooo.", "o###o.", "ooooo.", "......"])
    }

    @Test("a closed polygon of a rectangle's corners equals the rectangle's outline; an open one leaves the last side out")
    func polygons() {
        let corners = [Self.p(1, 1), Self.p(4, 1), Self.p(4, 3), Self.p(1, 3)]
        var closed = Self.white(6, 5)
        closed.drawPolyline(corners, closed: true, style: Self.red)
        #expect(Self.picture(closed) == ["......", ".####.", ".#..#.", ".####.", "......"])
        var rectangle = Self.white(6, 5)
        rectangle.strokeRectangle(Box(x1: 1, y1: 1, x2: 5, y2: 4), thickness: 1, color: .red)
        #expect(closed == rectangle)
        var open = Self.white(6, 5)
        open.drawPolyline(corners, style: Self.red)
        #expect(Self.picture(open) == ["......", ".####.", "....#.", ".####.", "......"])
    }

    @Test("an outlined polygon draws every outline before any stroke, so no rim crosses a stroke")
    func outlinedPolygon() {
        var image = Self.white(7, 6)
        image.drawPolyline([Self.p(1, 1), Self.p(5, 1), Self.p(5, 4), Self.p(1, 4)], closed: true, style: StrokeStyle(color: .red, outline: .black))
        #expect(Self.picture(image) == ["ooooooo", "o#####o", "o#ooo#o", "o#ooo#o", "o#####o", "ooooooo"])
    }

    @Test("an arrow has its shaft and a head of two strokes at 30° back from the tip")
    func arrow() {
        var image = Self.white(12, 9)
        image.drawArrow(from: Self.p(1, 4), to: Self.p(9, 4), headLength: 4, style: Self.red)
        // Head ends: 9 − 4·cos 30° = 5.54 → 6, 4 ± 4·sin 30° = 2 and 6.
        #expect(
            Self.picture(image) == [
                "............", "............", "......#.....", ".......##...", ".#########..", ".......##...", "......#.....",
                "............", "............",
            ])
        var reversed = Self.white(12, 9)
        reversed.drawArrow(from: Self.p(9, 4), to: Self.p(1, 4), headLength: 4, style: Self.red)
        #expect(Self.picture(reversed)[2] == "....#......." && Self.picture(reversed)[6] == "....#.......")
    }

    @Test("an outlined rectangle has a 1-pixel rim outside the box and inside its band")
    func outlinedRectangle() {
        var image = Self.white(8, 8)
        image.strokeRectangle(Box(x1: 1, y1: 1, x2: 6, y2: 6), style: StrokeStyle(color: .red, outline: .black))
        #expect(
            Self.picture(image) == ["ooooooo.", "o#####o.", "o#ooo#o.", "o#o.o#o.", "o#ooo#o.", "o#####o.", "ooooooo.", "........"])
    }

    @Test("lines reaching far outside are cut to the image, quickly; lines wholly outside draw nothing")
    func clipping() {
        var long = Self.white(6, 5)
        let far = 1 << 40
        long.drawLine(from: Self.p(-far, 2), to: Self.p(far, 2), style: StrokeStyle(color: .red, thickness: 1, outline: .black))
        #expect(Self.picture(long) == ["......", "oooooo", "######", "oooooo", "......"])
        var entering = Self.white(6, 5)
        entering.drawLine(from: Self.p(-2, -2), to: Self.p(2, 2), style: Self.red)
        #expect(Self.picture(entering) == ["#.....", ".#....", "..#...", "......", "......"])
        var outside = Self.white(6, 5)
        outside.drawLine(from: Self.p(-10, -10), to: Self.p(-5, -3), style: StrokeStyle(color: .red, thickness: 3, outline: .black))
        outside.drawArrow(from: Self.p(far, far), to: Self.p(far - 5, far), style: Self.red)
        #expect(outside == Self.white(6, 5))
    }

    @Test("a thickness below 1, an empty point list and non-finite points draw nothing")
    func nothing() {
        var image = Self.white(6, 5)
        image.drawLine(from: Self.p(0, 0), to: Self.p(5, 4), style: StrokeStyle(color: .red, thickness: 0, outline: .black))
        image.drawPolyline([], closed: true, style: Self.red)
        image.strokeRectangle(Box(x1: .nan, y1: 0, x2: 3, y2: 3), style: StrokeStyle(color: .red, outline: .black))
        #expect(image == Self.white(6, 5))
        #expect(PixelPoint(x: .nan, y: 0) == nil && PixelPoint(x: 1, y: .infinity) == nil)
        #expect(PixelPoint(x: -0.5, y: 2.99) == Self.p(-1, 2))
    }

    @Test("an annotation draws its outlined box and its caption band, and nothing else")
    func annotation() {
        var image = Self.white(40, 30)
        let box = Box(x1: 10, y1: 12, x2: 30, y2: 28)
        let color = RGBColor.annotationColor(for: 3)
        image.draw(BoxAnnotation(box: box, caption: "a", color: color), scale: 1)
        #expect(image[10, 20] == (color.red, color.green, color.blue))
        #expect(image[9, 20] == (0, 0, 0) && image[12, 20] == (0, 0, 0) && image[13, 20] == (255, 255, 255))
        // The caption band: 1 + 5 + 1 wide, 1 + 7 + 1 high, right above the box (rows 3 … 11, columns 10 … 16).
        #expect(image[10, 3] == (color.red, color.green, color.blue) && image[16, 3] == (color.red, color.green, color.blue))
        for y in 0..<30 {
            for x in 0..<40 {
                let inBox = x >= 9 && x <= 30 && y >= 11 && y <= 28
                let inBand = x >= 10 && x <= 16 && y >= 3 && y <= 11
                if !inBox && !inBand { #expect(image[x, y] == (255, 255, 255), "pixel (\(x), \(y))") }
            }
        }
    }
}

@Suite("Cropping an RGBImage to a box")
struct CropTests {
    @Test("a crop holds exactly the pixels the box covers, clipped to the image")
    func crop() throws {
        let image = RGBImage(width: 8, height: 6) { x, y in (UInt8(x), UInt8(y), 7) }
        let inside = try #require(image.cropped(to: Box(x1: 2.4, y1: 1, x2: 5.5, y2: 4)))
        #expect(inside.width == 4 && inside.height == 3)
        #expect(inside[0, 0] == (2, 1, 7) && inside[3, 2] == (5, 3, 7))
        let edge = try #require(image.cropped(to: Box(x1: 6, y1: -3, x2: 20, y2: 2)))
        #expect(edge.width == 2 && edge.height == 2 && edge[1, 1] == (7, 1, 7))
        #expect(image.cropped(to: Box(x1: 9, y1: 0, x2: 12, y2: 3)) == nil)
        #expect(image.cropped(to: Box(x1: .nan, y1: 0, x2: 3, y2: 3)) == nil)
    }
}
