import Geometry
import Testing

@Suite("The shared box type")
struct BoxTests {
    @Test("size, centre and areas")
    func measures() {
        let box = Box(x1: 2, y1: 3, x2: 12, y2: 8)
        #expect(box.width == 10 && box.height == 5 && box.centerX == 7 && box.centerY == 5.5)
        #expect(box.area == 50 && box.signedArea == 50)
        #expect(Box(x: 2, y: 3, width: 10, height: 5) == box)
        #expect(Box(centerX: 7, centerY: 5.5, width: 10, height: 5) == box)
        let inverted = Box(x1: 12, y1: 3, x2: 2, y2: 8)
        #expect(inverted.width == -10 && inverted.area == 0 && inverted.signedArea == -50 && inverted.isEmpty)
        #expect(Box(x1: .nan, y1: 0, x2: 1, y2: 1).isEmpty && !Box(x1: .nan, y1: 0, x2: 1, y2: 1).isFinite)
        #expect(!box.isEmpty && box.isFinite)
    }

    @Test("intersection over union in continuous pixels")
    func overlap() {
        let a = Box(x1: 0, y1: 0, x2: 10, y2: 10)
        #expect(a.intersectionOverUnion(with: Box(x1: 5, y1: 0, x2: 15, y2: 10)) == 50.0 / 150.0)
        #expect(a.intersectionOverUnion(with: Box(x1: 10, y1: 0, x2: 20, y2: 10)) == 0)
        #expect(a.intersectionOverUnion(with: Box(x1: .nan, y1: 0, x2: 5, y2: 5)) == 0)
        #expect(a.intersection(Box(x1: 5, y1: -5, x2: 15, y2: 5)) == Box(x1: 5, y1: 0, x2: 10, y2: 5))
        #expect(a.intersection(Box(x1: 10, y1: 0, x2: 20, y2: 10)) == nil)
    }

    @Test("the VOC devkit's inclusive-pixel IoU")
    func inclusiveOverlap() {
        // Pixels 1…10 and 6…15 (10 each), sharing 6…10 (5): 5·10 / (100 + 100 − 50).
        let a = Box(x1: 1, y1: 1, x2: 10, y2: 10), b = Box(x1: 6, y1: 1, x2: 15, y2: 10)
        #expect(a.inclusiveIntersectionOverUnion(with: b) == 50.0 / 150.0)
        // Touching at one pixel column still overlaps in this convention.
        #expect(a.inclusiveIntersectionOverUnion(with: Box(x1: 10, y1: 1, x2: 19, y2: 10)) == 10.0 / 190.0)
    }

    @Test("scaled and clipped")
    func transforms() {
        #expect(Box(x1: 1, y1: 2, x2: 3, y2: 4).scaled(x: 2, y: 0.5) == Box(x1: 2, y1: 1, x2: 6, y2: 2))
        #expect(Box(x1: -5, y1: 3, x2: 700, y2: .infinity).clipped(toWidth: 640, height: 480) == Box(x1: 0, y1: 3, x2: 640, y2: 480))
        let nan = Box(x1: .nan, y1: 3, x2: 5, y2: 6).clipped(toWidth: 640, height: 480)
        #expect(nan.x1.isNaN && nan.y1 == 3 && nan.x2 == 5)
    }
}
