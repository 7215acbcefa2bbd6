/// A small dense row-major matrix of `Double`, just enough linear algebra for the 7-state Kalman filter.
struct Matrix: Sendable, Hashable {
    /// Number of rows.
    let rows: Int
    /// Number of columns.
    let columns: Int
    /// Elements, row-major.
    var elements: [Double]

    /// A `rows`×`columns` matrix filled with `value`.
    init(rows: Int, columns: Int, value: Double = 0) {
        self.rows = rows
        self.columns = columns
        self.elements = Array(repeating: value, count: rows * columns)
    }

    /// A square matrix with `diagonal` on its diagonal.
    init(diagonal: [Double]) {
        self.init(rows: diagonal.count, columns: diagonal.count)
        for (i, d) in diagonal.enumerated() { self[i, i] = d }
    }

    /// The n×n identity.
    static func identity(_ n: Int) -> Matrix { Matrix(diagonal: Array(repeating: 1, count: n)) }

    /// Element at (`row`, `column`).
    subscript(row: Int, column: Int) -> Double {
        get { elements[row * columns + column] }
        set { elements[row * columns + column] = newValue }
    }

    /// The transpose.
    var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for r in 0..<rows {
            for c in 0..<columns { t[c, r] = self[r, c] }
        }
        return t
    }

    /// Matrix product; the inner dimensions must agree (an internal invariant).
    static func * (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.columns == rhs.rows, "Matrix: inner dimensions \(lhs.columns) and \(rhs.rows) differ")
        var out = Matrix(rows: lhs.rows, columns: rhs.columns)
        for r in 0..<lhs.rows {
            for k in 0..<lhs.columns {
                let a = lhs[r, k]
                if a == 0 { continue }
                for c in 0..<rhs.columns { out[r, c] += a * rhs[k, c] }
            }
        }
        return out
    }

    /// Element-wise sum; shapes must agree (an internal invariant).
    static func + (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns, "Matrix: shapes differ in +")
        var out = lhs
        for i in out.elements.indices { out.elements[i] += rhs.elements[i] }
        return out
    }

    /// Element-wise difference; shapes must agree (an internal invariant).
    static func - (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns, "Matrix: shapes differ in -")
        var out = lhs
        for i in out.elements.indices { out.elements[i] -= rhs.elements[i] }
        return out
    }

    /// The inverse by Gauss–Jordan elimination with partial pivoting, or `nil` when the matrix is singular.
    var inverse: Matrix? {
        precondition(rows == columns, "Matrix: only square matrices have an inverse")
        let n = rows
        var a = self
        var inv = Matrix.identity(n)
        for col in 0..<n {
            var pivot = col
            for r in (col + 1)..<max(col + 1, n) where abs(a[r, col]) > abs(a[pivot, col]) { pivot = r }
            guard abs(a[pivot, col]) > 1e-12 else { return nil }
            if pivot != col {
                for c in 0..<n {
                    a.elements.swapAt(col * n + c, pivot * n + c)
                    inv.elements.swapAt(col * n + c, pivot * n + c)
                }
            }
            let scale = 1 / a[col, col]
            for c in 0..<n {
                a[col, c] *= scale
                inv[col, c] *= scale
            }
            for r in 0..<n where r != col {
                let factor = a[r, col]
                if factor == 0 { continue }
                for c in 0..<n {
                    a[r, c] -= factor * a[col, c]
                    inv[r, c] -= factor * inv[col, c]
                }
            }
        }
        return inv
    }
}
