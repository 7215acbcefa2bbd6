/// How much one ``GreyThumbnail`` differs from another: the test motion gating runs on every frame.
public struct ThumbnailDifference: Sendable, Equatable {
    /// Cells whose mean luma moved by more than the cell threshold.
    public let changedCells: Int
    /// All cells compared.
    public let cellCount: Int
    /// The mean of `|a − b|` over all cells, in grey levels (0…255).
    public let meanAbsoluteDifference: Float

    /// `changedCells / cellCount`, in 0…1.
    public var changedFraction: Double { cellCount == 0 ? 0 : Double(changedCells) / Double(cellCount) }
}

extension GreyThumbnail {
    /// Whether `other` has the same grid, so the two can be compared cell by cell.
    public func hasSameGrid(as other: GreyThumbnail) -> Bool { columns == other.columns && rows == other.rows }

    /// The difference from `reference`, counting a cell as changed when its mean luma differs by more than
    /// `cellThreshold` grey levels.
    /// - Important: both thumbnails must have the same grid (``hasSameGrid(as:)``); a frame of another size is not
    ///   comparable (motion gating infers it instead).
    public func difference(from reference: GreyThumbnail, cellThreshold: Float) -> ThumbnailDifference {
        precondition(hasSameGrid(as: reference), "GreyThumbnail: compared thumbnails must have the same grid")
        var changed = 0
        var total: Float = 0
        cells.withUnsafeBufferPointer { a in
            reference.cells.withUnsafeBufferPointer { b in
                for i in 0..<a.count {
                    let d = abs(a[i] - b[i])
                    total += d
                    if d > cellThreshold { changed += 1 }
                }
            }
        }
        return ThumbnailDifference(changedCells: changed, cellCount: cells.count, meanAbsoluteDifference: total / Float(max(1, cells.count)))
    }
}
