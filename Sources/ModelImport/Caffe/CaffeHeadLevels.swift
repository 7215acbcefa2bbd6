import ModelStore

/// Checks that the box heads, class heads and PriorBox layers traced back from DetectionOutput agree level by
/// level: same count, same feature-map size, A·4 and A·K channels for the A priors per location of the level.
struct CaffeHeadLevels {
    /// Number of levels.
    let count: Int
    /// Σ H·W·A over the levels.
    let anchorCount: Int

    init(
        loc: [String], conf: [String], classes: Int, priors: [CaffePriorBox], shapes: (String) -> [Int],
        fail: (String) -> ModelImportError
    ) throws {
        guard !loc.isEmpty, loc.count == conf.count, loc.count == priors.count else {
            throw fail("it reads \(loc.count) box heads, \(conf.count) class heads and \(priors.count) PriorBox layers; expected equal counts")
        }
        var total = 0
        for level in loc.indices {
            let box = shapes(loc[level])
            let cls = shapes(conf[level])
            let prior = priors[level]
            let a = prior.priorsPerLocation
            guard box[0] == prior.featureMapHeight, box[1] == prior.featureMapWidth, cls[0] == box[0], cls[1] == box[1] else {
                throw fail(
                    "level \(level): box head '\(loc[level])' is \(box[0])×\(box[1]), class head '\(conf[level])' \(cls[0])×\(cls[1]), "
                        + "its PriorBox layer's feature map \(prior.featureMapHeight)×\(prior.featureMapWidth)")
            }
            guard box[2] == a * 4, cls[2] == a * classes else {
                throw fail(
                    "level \(level): box head '\(loc[level])' has \(box[2]) channels and class head '\(conf[level])' \(cls[2]); "
                        + "its PriorBox layer makes \(a) priors per location, so \(a * 4) and \(a * classes) (\(classes) classes) were expected")
            }
            total += box[0] * box[1] * a
        }
        count = loc.count
        anchorCount = total
    }
}
