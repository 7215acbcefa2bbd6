/// A dense row-major array of Double initialised to −1 (pycocotools' "undefined"), indexed by a list of indices.
public struct COCOArray: Sendable, Equatable {
    public let shape: [Int]
    public private(set) var values: [Double]

    public init(shape: [Int]) {
        self.shape = shape
        values = [Double](repeating: -1, count: shape.reduce(1, *))
    }

    /// The element at `index` (one entry per dimension).
    public subscript(_ index: [Int]) -> Double {
        get { values[offset(index)] }
        set { values[offset(index)] = newValue }
    }

    private func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "COCOArray: \(index.count) indices for \(shape.count) dimensions")
        var offset = 0
        for (i, n) in zip(index, shape) { offset = offset * n + i }
        return offset
    }
}
