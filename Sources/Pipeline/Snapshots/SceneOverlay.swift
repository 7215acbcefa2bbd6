import Events
import Imaging

/// Zones (polygons) and lines (directed segments) drawn on snapshots, `latest.jpg` and `ssdd annotate`'s frames, in
/// source pixels.
///
/// ``configured(for:width:height:)`` maps a stream's `[[streams.zones]]` and `[[streams.lines]]` (relative points
/// multiplied by the frame size, as the event stage resolves them) into this value, and every picture draws them.
public struct SceneOverlay: Sendable, Equatable {
    /// A point in source pixels: the event stage's point type.
    public typealias Point = ImagePoint

    /// A named polygon.
    public struct Zone: Sendable, Equatable {
        public var name: String
        public var points: [Point]

        public init(name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    /// A named directed segment: drawn as an arrow from `start` to `end`.
    public struct Line: Sendable, Equatable {
        public var name: String
        public var start: Point
        public var end: Point

        public init(name: String, start: Point, end: Point) {
            self.name = name
            self.start = start
            self.end = end
        }
    }

    public var zones: [Zone]
    public var lines: [Line]

    /// Creates an overlay.
    public init(zones: [Zone] = [], lines: [Line] = []) {
        self.zones = zones
        self.lines = lines
    }

    /// Nothing to draw.
    public static let empty = SceneOverlay()

    public var isEmpty: Bool { zones.isEmpty && lines.isEmpty }

    /// The zones and lines configured for `stream`, for frames of `width × height` source pixels.
    public static func configured(for stream: StreamConfiguration, width: Int, height: Int) -> SceneOverlay {
        let zones = stream.zones.map { zone in
            Zone(name: zone.name, points: zone.polygon(width: width, height: height).vertices)
        }
        let lines = stream.lines.map { line in
            let segment = line.segment(width: width, height: height)
            return Line(name: line.name, start: segment.start, end: segment.end)
        }
        return SceneOverlay(zones: zones, lines: lines)
    }

    /// Zones' colour (a dark outline keeps it visible on any background).
    static let zoneColor = RGBColor(red: 255, green: 64, blue: 64)
    /// Lines' colour.
    static let lineColor = RGBColor(red: 64, green: 160, blue: 255)
}

extension RGBImage {
    /// Draws `overlay`'s zones (closed outlines) and lines (arrows), each with its name at its first point;
    /// source pixels are multiplied by (`scaleX`, `scaleY`) to this image's pixels.
    mutating func draw(_ overlay: SceneOverlay, scaleX: Double, scaleY: Double, textScale: Int) {
        func pixel(_ p: SceneOverlay.Point) -> PixelPoint? { PixelPoint(x: p.x * scaleX, y: p.y * scaleY) }
        let style = { (color: RGBColor) in StrokeStyle.annotation(color, thickness: textScale) }
        for zone in overlay.zones {
            let points = zone.points.compactMap(pixel)
            guard points.count == zone.points.count, let first = points.first else { continue }
            drawPolyline(points, closed: true, style: style(SceneOverlay.zoneColor))
            drawText(zone.name, x: first.x + 2 * textScale, y: first.y + 2 * textScale, scale: textScale, color: SceneOverlay.zoneColor)
        }
        for line in overlay.lines {
            guard let start = pixel(line.start), let end = pixel(line.end) else { continue }
            drawArrow(from: start, to: end, style: style(SceneOverlay.lineColor))
            drawText(line.name, x: start.x + 2 * textScale, y: start.y + 2 * textScale, scale: textScale, color: SceneOverlay.lineColor)
        }
    }
}
