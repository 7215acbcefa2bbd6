/// A crossing line of one stream (`[[streams.lines]]`): a directed segment p1 → p2; a track's anchor passing through
/// it makes a `cross` event, `in` when it goes from the left of the arrow to its right as seen on the picture (the
/// cross product (p2 − p1) × (c − p1), y down, goes from negative to positive), `out` the reverse.
public struct LineDefinition: Sendable, Equatable {
    /// Unique among the stream's zones and lines (`name`).
    public var name: String
    /// p1 and p2 (`points`): source pixels, or fractions of the width and height when ``relative``.
    public var start: ImagePoint
    public var end: ImagePoint
    /// Whether the points are fractions (0…1) of the frame's width and height (`relative`, default false).
    public var relative: Bool
    /// Only tracks of these labels count (`labels`); nil counts every label.
    public var labels: [String]?
    /// The point of a box that must cross (`anchor`, default bottom-centre).
    public var anchor: Anchor
    /// The debounce and hysteresis that keep a jittering box from crossing back and forth.
    public var steadiness: Steadiness

    /// Creates a line from p1 (`start`) to p2 (`end`).
    public init(
        name: String, from start: ImagePoint, to end: ImagePoint, relative: Bool = false, labels: [String]? = nil, anchor: Anchor = .bottom,
        steadiness: Steadiness = Steadiness()
    ) {
        self.name = name
        self.start = start
        self.end = end
        self.relative = relative
        self.labels = labels
        self.anchor = anchor
        self.steadiness = steadiness
    }

    /// The segment in source pixels of a `width × height` frame.
    public func segment(width: Int, height: Int) -> Segment {
        let points = Steadiness.resolve([start, end], relative: relative, width: width, height: height)
        return Segment(from: points[0], to: points[1])
    }

    /// Whether a track labelled `label` counts on this line.
    public func counts(_ label: String) -> Bool { labels?.contains(label) ?? true }
}
