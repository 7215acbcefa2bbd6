import Imaging
import Testing

@Suite("Grey thumbnail: cell means of luma, and the difference motion gating measures")
struct GreyThumbnailTests {
    /// A deterministic generator (SplitMix64) for noise.
    struct Noise {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in -amplitude...amplitude.
        mutating func offset(_ amplitude: Int) -> Int { Int(next() % UInt64(2 * amplitude + 1)) - amplitude }
    }

    /// A 640 × 480 grey scene: a horizontal ramp with a darker square at (`blockX`, 200) of 60 × 60 when given.
    static func scene(blockX: Int? = nil, noise: Int = 0, seed: UInt64 = 1) -> RGBImage {
        var rng = Noise(state: seed)
        return RGBImage(width: 640, height: 480) { x, y in
            var value = 60 + x / 4
            if let blockX, x >= blockX, x < blockX + 60, y >= 200, y < 260 { value = 20 }
            if noise > 0 { value += rng.offset(noise) }
            let v = UInt8(clamping: value)
            return (v, v, v)
        }
    }

    @Test("a uniform image gives its BT.601 luma in every cell, on the default 64 × 48 grid")
    func uniform() {
        let image = RGBImage(width: 640, height: 480) { _, _ in (100, 150, 200) }
        let thumbnail = GreyThumbnail(image)
        #expect(thumbnail.columns == 64 && thumbnail.rows == 48 && thumbnail.cells.count == 64 * 48)
        // (77·100 + 150·150 + 29·200) / 256
        #expect(thumbnail.cells.allSatisfy { $0 == 140.625 })
    }

    @Test("each cell is the mean of the pixels it covers; a grid larger than the image is clamped to it")
    func cellMeans() {
        // 4 × 2 image, grid 2 × 1: the left cell averages columns 0–1, the right columns 2–3.
        let image = RGBImage(width: 4, height: 2) { x, _ in x < 2 ? (0, 0, 0) : (x == 2 ? (255, 255, 255) : (0, 0, 0)) }
        let thumbnail = GreyThumbnail(image, columns: 2, rows: 1)
        #expect(thumbnail.cells == [0, 127.5])
        let clamped = GreyThumbnail(image, columns: 64, rows: 48)
        #expect(clamped.columns == 4 && clamped.rows == 2)
        #expect(clamped.cells == [0, 0, 255, 0, 0, 0, 255, 0])
    }

    @Test("large cells are sampled, still within half a grey level of the true mean: a 1920 × 1080 ramp")
    func sampledCells() {
        let image = RGBImage(width: 1920, height: 1080) { x, _ in (UInt8(x / 8), UInt8(x / 8), UInt8(x / 8)) }
        let thumbnail = GreyThumbnail(image)
        for column in 0..<64 {
            // A cell is 30 pixels wide: the true mean of x / 8 (integer) over its columns.
            let values = (column * 30..<(column + 1) * 30).map { Float($0 / 8) }
            let mean = values.reduce(0, +) / Float(values.count)
            #expect(abs(thumbnail.cells[column] - mean) <= 0.5, "column \(column): \(thumbnail.cells[column]) vs \(mean)")
        }
    }

    @Test("pixel noise of ±6 grey levels changes no cell by more than 8 levels")
    func noiseStaysQuiet() {
        let a = GreyThumbnail(Self.scene(noise: 6, seed: 1))
        let b = GreyThumbnail(Self.scene(noise: 6, seed: 2))
        let difference = b.difference(from: a, cellThreshold: 8)
        #expect(difference.changedCells == 0)
        #expect(difference.meanAbsoluteDifference < 1)
        #expect(difference.cellCount == 64 * 48)
    }

    @Test("a block moved by 20 pixels changes the cells of its old and new edges, noise or not")
    func movingBlock() {
        let before = GreyThumbnail(Self.scene(blockX: 100, noise: 6, seed: 1))
        let after = GreyThumbnail(Self.scene(blockX: 120, noise: 6, seed: 2))
        let difference = after.difference(from: before, cellThreshold: 8)
        // 20 px = 2 cells of 10 px on each side, 6 rows high: 24 cells.
        #expect(difference.changedCells == 24)
        #expect(difference.changedFraction == 24.0 / 3072.0)
    }

    @Test("the cell threshold is strict: a change of exactly the threshold does not count, one above it does")
    func threshold() {
        let a = GreyThumbnail(columns: 2, rows: 1, cells: [100, 100])
        let b = GreyThumbnail(columns: 2, rows: 1, cells: [108, 108.5])
        #expect(b.difference(from: a, cellThreshold: 8).changedCells == 1)
        #expect(b.difference(from: a, cellThreshold: 9).changedCells == 0)
        #expect(b.difference(from: a, cellThreshold: 8).meanAbsoluteDifference == 8.25)
        #expect(a.hasSameGrid(as: b) && !a.hasSameGrid(as: GreyThumbnail(columns: 1, rows: 2, cells: [0, 0])))
    }

    @Test(
        "a large frame is read by its sampled rows only (every second of 1080), a small one as the whole picture, each the same thumbnail as from the image"
    )
    func readsSampledRows() {
        let large = RowSourceResizeTests.picture(width: 1920, height: 1080)
        let largeSource = RowSourceResizeTests.RecordingSource(large)
        #expect(GreyThumbnail(largeSource) == GreyThumbnail(large))
        #expect(largeSource.rows == Array(stride(from: 0, to: 1080, by: 2)) && largeSource.wholeImageReads == 0)
        let small = RowSourceResizeTests.picture(width: 640, height: 480)
        let smallSource = RowSourceResizeTests.RecordingSource(small)
        #expect(GreyThumbnail(smallSource) == GreyThumbnail(small))
        #expect(smallSource.rows.isEmpty && smallSource.wholeImageReads == 1)
    }
}
