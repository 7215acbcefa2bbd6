import TensorEngine

/// The outcome of comparing two tensors element by element.
public struct TensorComparison: Sendable, CustomStringConvertible {
    public var shapesMatch: Bool
    public var expectedShape: [Int]
    public var actualShape: [Int]
    /// Largest `|expected − actual|`.
    public var maxAbsoluteError: Float
    /// Largest `|expected − actual| / max(|expected|, 1)`.
    public var maxRelativeError: Float
    /// First flat index whose error exceeds the tolerance, with both values.
    public var firstMismatch: (index: Int, expected: Float, actual: Float)?
    public var tolerance: Float

    /// True when shapes match and no element exceeds the tolerance.
    public var passed: Bool { shapesMatch && firstMismatch == nil }

    public var description: String {
        if !shapesMatch { return "shape \(actualShape), expected \(expectedShape)" }
        var text = "max abs error \(maxAbsoluteError), max rel error \(maxRelativeError), tolerance \(tolerance)"
        if let m = firstMismatch {
            text += "; first mismatch at flat index \(m.index) (\(coordinates(m.index))): expected \(m.expected), got \(m.actual)"
        }
        return text
    }

    private func coordinates(_ flat: Int) -> [Int] {
        var rest = flat
        var result = [Int](repeating: 0, count: expectedShape.count)
        for axis in stride(from: expectedShape.count - 1, through: 0, by: -1) where expectedShape[axis] > 0 {
            result[axis] = rest % expectedShape[axis]
            rest /= expectedShape[axis]
        }
        return result
    }
}

/// Compares `actual` with `expected`: an element passes when `|e − a| ≤ tolerance · max(|e|, 1)`
/// (absolute near zero, relative for large values).
public func compare(_ actual: Tensor, _ expected: Tensor, tolerance: Float) -> TensorComparison {
    var result = TensorComparison(
        shapesMatch: actual.shape == expected.shape, expectedShape: expected.shape, actualShape: actual.shape,
        maxAbsoluteError: 0, maxRelativeError: 0, firstMismatch: nil, tolerance: tolerance)
    guard result.shapesMatch else { return result }
    let a = actual.values, e = expected.values
    for i in 0..<e.count {
        let diff = abs(a[i] - e[i])
        let rel = diff / max(abs(e[i]), 1)
        if !(diff <= result.maxAbsoluteError) { result.maxAbsoluteError = diff }
        if !(rel <= result.maxRelativeError) { result.maxRelativeError = rel }
        if result.firstMismatch == nil && !(rel <= tolerance) { result.firstMismatch = (i, e[i], a[i]) }
    }
    return result
}
