import Geometry

extension Box {
    /// Whether all corners are finite and the box has a positive width and height; only such boxes are tracked.
    public var isTrackable: Bool { isFinite && !isEmpty }
}
