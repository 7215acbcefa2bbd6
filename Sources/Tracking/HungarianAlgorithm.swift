/// Optimal assignment (minimum total cost) by the Hungarian algorithm with row and column potentials, O(n²·m)
/// for n rows and m ≥ n columns (the shorter side is always used as rows).
///
/// Ties are broken deterministically (lowest index first), so equal inputs give equal assignments.
public enum HungarianAlgorithm {
    /// Returns, for each row of `cost`, the column assigned to it, or `nil` when there are more rows than
    /// columns and the row is left out. Every column is used at most once and the sum of the chosen costs is
    /// minimal among all assignments of size `min(rows, columns)`.
    ///
    /// - Parameter cost: a rectangular matrix of finite costs, `cost[row][column]`; may be empty.
    /// - Important: every row must have the same number of columns and every cost must be finite; anything
    ///   else is a bug in the caller and stops the program.
    public static func minimumCostAssignment(_ cost: [[Double]]) -> [Int?] {
        let rows = cost.count
        guard rows > 0 else { return [] }
        let columns = cost[0].count
        for row in cost {
            precondition(row.count == columns, "HungarianAlgorithm: cost matrix rows must all have \(columns) columns")
            precondition(row.allSatisfy(\.isFinite), "HungarianAlgorithm: costs must be finite")
        }
        guard columns > 0 else { return Array(repeating: nil, count: rows) }
        if rows <= columns {
            return solve(rows: rows, columns: columns) { cost[$0][$1] }
        }
        // More rows than columns: solve the transpose and invert the result.
        let byColumn = solve(rows: columns, columns: rows) { cost[$1][$0] }
        var result = [Int?](repeating: nil, count: rows)
        for (column, row) in byColumn.enumerated() {
            if let row { result[row] = column }
        }
        return result
    }

    /// The total cost of `assignment` over `cost`, ignoring unassigned rows.
    public static func totalCost(_ cost: [[Double]], assignment: [Int?]) -> Double {
        var total = 0.0
        for (row, column) in assignment.enumerated() {
            if let column { total += cost[row][column] }
        }
        return total
    }

    /// Shortest-augmenting-path Hungarian algorithm for `rows <= columns` (1-based internally, index 0 is the
    /// virtual start column). See Kuhn (1955) and the potentials formulation by Jonker and Volgenant.
    private static func solve(rows n: Int, columns m: Int, cost a: (Int, Int) -> Double) -> [Int?] {
        var u = [Double](repeating: 0, count: n + 1)
        var v = [Double](repeating: 0, count: m + 1)
        var rowOfColumn = [Int](repeating: 0, count: m + 1)  // p[j]: row matched to column j, 0 = none
        var way = [Int](repeating: 0, count: m + 1)
        for i in 1...n {
            rowOfColumn[0] = i
            var j0 = 0
            var minv = [Double](repeating: .infinity, count: m + 1)
            var used = [Bool](repeating: false, count: m + 1)
            repeat {
                used[j0] = true
                let i0 = rowOfColumn[j0]
                var delta = Double.infinity
                var j1 = 0
                for j in 1...m where !used[j] {
                    let current = a(i0 - 1, j - 1) - u[i0] - v[j]
                    if current < minv[j] {
                        minv[j] = current
                        way[j] = j0
                    }
                    if minv[j] < delta {
                        delta = minv[j]
                        j1 = j
                    }
                }
                for j in 0...m {
                    if used[j] {
                        u[rowOfColumn[j]] += delta
                        v[j] -= delta
                    } else {
                        minv[j] -= delta
                    }
                }
                j0 = j1
            } while rowOfColumn[j0] != 0
            repeat {
                let j1 = way[j0]
                rowOfColumn[j0] = rowOfColumn[j1]
                j0 = j1
            } while j0 != 0
        }
        var result = [Int?](repeating: nil, count: n)
        for j in 1...m where rowOfColumn[j] != 0 {
            result[rowOfColumn[j] - 1] = j - 1
        }
        return result
    }
}
