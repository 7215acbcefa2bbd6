import Geometry

/// One detected object in source-frame pixels.
public struct Detection: Sendable, Equatable, Codable {
    /// Output slot of the class (1… ; 0 is background and never reported).
    public var classIndex: Int
    public var label: String
    public var score: Float
    /// Corners in source pixels (the detector computes them in `Float`; each converts exactly). Not necessarily
    /// ordered or finite when the model is hostile: see ``Geometry/Box``.
    public var box: Box

    public init(classIndex: Int, label: String, score: Float, box: Box) {
        self.classIndex = classIndex
        self.label = label
        self.score = score
        self.box = box
    }
}

/// A detection before mapping to the source frame: index of its anchor, class slot, score, corners in the model's
/// frame and order.
public struct Candidate: Sendable, Equatable {
    public var anchor: Int
    public var classIndex: Int
    public var score: Float
    public var box: (Float, Float, Float, Float)

    public init(anchor: Int, classIndex: Int, score: Float, box: (Float, Float, Float, Float)) {
        self.anchor = anchor
        self.classIndex = classIndex
        self.score = score
        self.box = box
    }

    public static func == (a: Candidate, b: Candidate) -> Bool {
        a.anchor == b.anchor && a.classIndex == b.classIndex && a.score == b.score && a.box == b.box
    }
}
