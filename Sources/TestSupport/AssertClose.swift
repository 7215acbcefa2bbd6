import TensorEngine
import Testing

/// Records a test issue unless `actual` matches `expected` within `tolerance` (see ``compare(_:_:tolerance:)``).
/// The message names `context` (the case's parameters), the errors, and the first mismatching index and values.
public func assertClose(
    _ actual: Tensor, _ expected: Tensor, tolerance: Float, _ context: @autoclosure () -> String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let result = compare(actual, expected, tolerance: tolerance)
    if !result.passed {
        Issue.record("\(context()): \(result)", sourceLocation: sourceLocation)
    }
}
