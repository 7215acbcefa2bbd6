import Detection

/// Per-anchor training targets of one image: the class slot (0 = background) and, for positives, the encoded box.
public struct AnchorTargets: Sendable, Equatable {
    /// Class slot per anchor; 0 for background.
    public var classes: [Int]
    /// `anchors × 4` regression targets; zero for background anchors.
    public var regressions: [Float]
    /// Matched object per anchor (−1 for background), as the matcher returned it.
    public var matches: [Int]

    /// Number of positive (matched) anchors.
    public var positiveCount: Int { classes.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

    public init(classes: [Int], regressions: [Float], matches: [Int]) {
        self.classes = classes
        self.regressions = regressions
        self.matches = matches
    }

    /// Matches `groundTruth` to `anchors` and encodes each positive's object with `encoder`.
    public init(groundTruth: ImageGroundTruth, anchors: AnchorSet, matcher: AnchorMatcher, encoder: BoxEncoder) {
        let matches = matcher.match(groundTruth, anchors: anchors)
        var classes = [Int](repeating: 0, count: anchors.count)
        var regressions = [Float](repeating: 0, count: anchors.count * 4)
        let a = anchors.values
        for (i, object) in matches.enumerated() where object >= 0 {
            classes[i] = groundTruth.labels[object]
            let t = encoder.encode(groundTruth.box(object), anchor: (a[4 * i], a[4 * i + 1], a[4 * i + 2], a[4 * i + 3]))
            regressions[4 * i] = t.0
            regressions[4 * i + 1] = t.1
            regressions[4 * i + 2] = t.2
            regressions[4 * i + 3] = t.3
        }
        self.init(classes: classes, regressions: regressions, matches: matches)
    }
}
