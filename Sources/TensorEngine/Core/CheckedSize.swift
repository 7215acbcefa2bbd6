/// Sizes computed from values read from files: products and sums that report overflow as nil instead of trapping or
/// wrapping, so a hostile shape becomes an error message, never a crash.
public enum CheckedSize {
    /// Most elements one tensor of a network may have: BLAS takes 32-bit sizes, and kernels index with them.
    public static let maximumTensorElements = Int(Int32.max)

    /// Product of `factors`, or nil when any is negative or the product overflows `Int`.
    public static func product(_ factors: [Int]) -> Int? {
        var result = 1
        for factor in factors {
            guard factor >= 0 else { return nil }
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// Product of `factors`, or nil when any is negative or the product overflows `Int`.
    public static func product(_ factors: Int...) -> Int? { product(factors) }

    /// Sum of `terms`, or nil when it overflows `Int`.
    public static func sum(_ terms: [Int]) -> Int? {
        var result = 0
        for term in terms {
            let (next, overflow) = result.addingReportingOverflow(term)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// Sum of `terms`, or nil when it overflows `Int`.
    public static func sum(_ terms: Int...) -> Int? { sum(terms) }

    /// Output extent of a sliding window along one axis: `(input + before + after − ((kernel − 1)·dilation + 1)) / stride
    /// + 1`, 0 when the window does not fit, nil when a value is out of range (negative sizes, non-positive stride or
    /// dilation) or the arithmetic overflows.
    public static func windowOutput(input: Int, before: Int, after: Int, kernel: Int, dilation: Int, stride: Int) -> Int? {
        guard input >= 0, before >= 0, after >= 0, kernel >= 1, dilation >= 1, stride >= 1,
            let padded = sum(input, before, after), let reach = product(kernel - 1, dilation), reach < Int.max
        else { return nil }
        let span = padded - (reach + 1)
        return span < 0 ? 0 : span / stride + 1
    }
}
