/// A zone of one stream (`[[streams.zones]]`): a polygon on the picture; a track's anchor entering, leaving or
/// staying in it makes `enter`, `exit` and `loiter` events.
public struct ZoneDefinition: Sendable, Equatable {
    /// Unique among the stream's zones and lines (`name`).
    public var name: String
    /// The polygon's corners (`points`): source pixels, or fractions of the width and height when ``relative``.
    public var points: [ImagePoint]
    /// Whether ``points`` are fractions (0…1) of the frame's width and height (`relative`, default false).
    public var relative: Bool
    /// Only tracks of these labels count (`labels`); nil counts every label.
    public var labels: [String]?
    /// The point of a box that must be inside (`anchor`, default bottom-centre).
    public var anchor: Anchor
    /// Seconds a track must stay inside for one `loiter` event per stay (`loiter`); 0 turns loitering off.
    public var loiter: Double
    /// The debounce and hysteresis that keep a jittering box from flickering in and out.
    public var steadiness: Steadiness

    /// Creates a zone.
    public init(
        name: String, points: [ImagePoint], relative: Bool = false, labels: [String]? = nil, anchor: Anchor = .bottom, loiter: Double = 0,
        steadiness: Steadiness = Steadiness()
    ) {
        self.name = name
        self.points = points
        self.relative = relative
        self.labels = labels
        self.anchor = anchor
        self.loiter = loiter
        self.steadiness = steadiness
    }

    /// The polygon in source pixels of a `width × height` frame.
    public func polygon(width: Int, height: Int) -> Polygon {
        Polygon(Steadiness.resolve(points, relative: relative, width: width, height: height))
    }

    /// Whether a track labelled `label` counts in this zone.
    public func counts(_ label: String) -> Bool { labels?.contains(label) ?? true }
}
