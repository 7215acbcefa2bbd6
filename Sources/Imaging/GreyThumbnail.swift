/// A small grey picture of an image: the mean luma of each cell of a `columns × rows` grid laid over it.
///
/// Motion gating compares these instead of frames: averaging a cell of many pixels removes most sensor and
/// compression noise, and a 64 × 48 grid is about 3,000 numbers whatever the frame size. Luma is BT.601
/// (`0.299 R + 0.587 G + 0.114 B`, on 0…255), the grey a camera's Y plane carries.
///
/// Cell `(c, r)` covers pixel columns `c·width/columns ..< (c+1)·width/columns` and the rows likewise, so the cells
/// tile the image exactly (they differ by at most one pixel in size). When the cells are 16 pixels or more on their
/// short side, only every `(side / 8)`-th pixel of every `(side / 8)`-th row is averaged (still at least 8 × 8 per
/// cell), which keeps the cost of a 1080p frame near that of a 640 × 480 one.
public struct GreyThumbnail: Sendable, Equatable {
    /// The grid's size; at most the image's (a 32 × 20 image gives a 32 × 20 grid).
    public let columns: Int
    public let rows: Int
    /// `rows × columns` mean luma values in 0…255, top row first.
    public let cells: [Float]

    /// The default grid: 64 × 48 cells (10 × 10 pixels of a 640 × 480 frame).
    public static let defaultColumns = 64
    public static let defaultRows = 48

    /// The thumbnail of `image` on a `columns × rows` grid (each clamped to the image's size; both at least 1).
    ///
    /// Only the sampled rows are read (``RGBRowSource/withRows(_:)``, in ascending order): a decoded frame converts
    /// every `step`-th row, half of a 1080p frame's; when every row is sampled (a 640 × 480 frame), the whole
    /// ``RGBRowSource/image``.
    public init(_ image: some RGBRowSource, columns: Int = GreyThumbnail.defaultColumns, rows: Int = GreyThumbnail.defaultRows) {
        precondition(columns >= 1 && rows >= 1, "GreyThumbnail: the grid needs at least one cell")
        let columns = min(columns, image.width)
        let rows = min(rows, image.height)
        self.columns = columns
        self.rows = rows
        let width = image.width
        let height = image.height
        // One sampling step for the whole grid (cells differ by at most a pixel): every pixel up to 15-pixel cells.
        let step = max(1, min(width / columns, height / rows) / 8)
        // Each cell's first sampled pixel column (a multiple of `step`) and its end; the sampled columns per cell.
        let firstX = (0...columns).map { c in (c * width / columns + step - 1) / step * step }
        let perCell = (0..<columns).map { c in (firstX[c + 1] - firstX[c]) / step }
        var cells = [Float](repeating: 0, count: columns * rows)
        var sums = [Int](repeating: 0, count: columns)
        func sample(_ source: some RGBRowSource) {
            source.withRows { pixelRow in
                // Raw pointer reads: every index stays below `firstX[columns] * 3 <= width * 3`, inside the row.
                firstX.withUnsafeBufferPointer { firstX in
                    sums.withUnsafeMutableBufferPointer { sums in
                        for r in 0..<rows {
                            let top = (r * height / rows + step - 1) / step * step
                            let bottom = (r + 1) * height / rows
                            for c in 0..<columns { sums[c] = 0 }
                            var sampledRows = 0
                            for y in stride(from: top, to: bottom, by: step) {
                                sampledRows += 1
                                let pixels = pixelRow(y)
                                for c in 0..<columns {
                                    // Channel sums, weighted once per cell: fewer operations per pixel than luma each.
                                    var red = 0
                                    var green = 0
                                    var blue = 0
                                    var i = firstX[c] &* 3
                                    let end = firstX[c &+ 1] &* 3
                                    while i < end {
                                        red &+= Int(pixels[i])
                                        green &+= Int(pixels[i &+ 1])
                                        blue &+= Int(pixels[i &+ 2])
                                        i &+= 3 &* step
                                    }
                                    // Fixed-point BT.601: 77 + 150 + 29 = 256.
                                    sums[c] &+= 77 &* red &+ 150 &* green &+ 29 &* blue
                                }
                            }
                            for c in 0..<columns {
                                cells[r * columns + c] = Float(sums[c]) / Float(perCell[c] * sampledRows * 256)
                            }
                        }
                    }
                }
            }
        }
        // Every row sampled (cells under 16 pixels): the whole picture, which a converting source keeps, so the
        // detector's resize does not convert those rows a second time.
        if step == 1 { sample(image.image) } else { sample(image) }
        self.cells = cells
    }

    /// A thumbnail with the given cells (tests, synthetic inputs); `cells.count` must be `columns × rows`.
    public init(columns: Int, rows: Int, cells: [Float]) {
        precondition(columns >= 1 && rows >= 1 && cells.count == columns * rows, "GreyThumbnail: cells must be columns×rows")
        self.columns = columns
        self.rows = rows
        self.cells = cells
    }
}
