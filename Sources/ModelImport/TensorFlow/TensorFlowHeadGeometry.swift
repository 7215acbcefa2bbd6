import ModelStore

/// Per-level grid sizes, anchors per cell and class slots implied by the head output shapes.
struct TensorFlowHeadGeometry {
    /// [height, width] per level.
    let featureMapSizes: [[Int]]
    /// Box channels / 4 per level.
    let anchorsPerLevel: [Int]
    /// Class channels / anchors per cell (background included); equal on every level.
    let classSlots: Int

    /// Total anchors: Σ height·width·anchors per cell.
    var anchorCount: Int {
        zip(featureMapSizes, anchorsPerLevel).reduce(0) { $0 + $1.0[0] * $1.0[1] * $1.1 }
    }

    /// Checks that box channels are a multiple of 4, class channels a multiple of the anchors, and both heads of a level
    /// share one grid.
    init(heads: [HeadOutputs], shapes: [String: [Int]], file: String) throws {
        var sizes: [[Int]] = []
        var anchors: [Int] = []
        var slots: Set<Int> = []
        for (level, head) in heads.enumerated() {
            guard let box = shapes[head.boxes], let cls = shapes[head.classes] else {
                throw ModelImportError.inconsistentHeads(file: file, reason: "level \(level) heads were not converted")
            }
            guard box[0] == cls[0], box[1] == cls[1], box[2] % 4 == 0, box[2] > 0 else {
                throw ModelImportError.inconsistentHeads(
                    file: file, reason: "level \(level): box head \(box) and class head \(cls) do not fit A·4 and A·K")
            }
            let perCell = box[2] / 4
            guard cls[2] % perCell == 0, cls[2] / perCell >= 2 else {
                throw ModelImportError.inconsistentHeads(
                    file: file, reason: "level \(level): \(cls[2]) class channels for \(perCell) anchors per cell")
            }
            sizes.append([box[0], box[1]])
            anchors.append(perCell)
            slots.insert(cls[2] / perCell)
        }
        guard slots.count == 1, let classSlots = slots.first else {
            throw ModelImportError.inconsistentHeads(file: file, reason: "levels disagree on class slots \(slots.sorted())")
        }
        self.featureMapSizes = sizes
        self.anchorsPerLevel = anchors
        self.classSlots = classSlots
    }
}
