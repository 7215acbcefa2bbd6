/// pycocotools `Params` for `iouType='bbox'`, with numpy's float values.
public struct COCOParameters: Sendable, Equatable {
    /// `np.linspace(.5, 0.95, 10)`: `0.5 + i·step` with `step = (0.95 − 0.5)/9`, the last value exactly 0.95.
    public var iouThresholds: [Double]
    /// `np.linspace(.0, 1.00, 101)`: `i · 0.01` (so 0.5700000000000001 etc.), the last exactly 1.
    public var recallThresholds: [Double]
    /// Detections kept per image *per category*.
    public var maxDetections: [Int]
    /// Area ranges (inclusive at both ends) named all, small, medium, large.
    public var areaRanges: [ClosedRange<Double>]

    public init() {
        iouThresholds = Self.linspace(0.5, 0.95, count: 10)
        recallThresholds = Self.linspace(0, 1, count: 101)
        maxDetections = [1, 10, 100]
        areaRanges = [0...1e10, 0...(32.0 * 32), (32.0 * 32)...(96.0 * 96), (96.0 * 96)...1e10]
    }

    /// numpy's `linspace(start, stop, count)` (endpoint included), value by value.
    static func linspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
        let step = (stop - start) / Double(count - 1)
        var values = (0..<count).map { Double($0) * step + start }
        values[count - 1] = stop
        return values
    }
}
