import Testing
import Tracking

/// Hungarian algorithm against hand-solved matrices and against brute force on seeded random matrices.
@Suite struct HungarianAlgorithmTests {
    struct Known: Sendable, CustomTestStringConvertible {
        let name: String
        let cost: [[Double]]
        let expected: [Int?]
        let total: Double
        var testDescription: String { name }
    }

    static let known: [Known] = [
        Known(name: "3x3 textbook", cost: [[4, 1, 3], [2, 0, 5], [3, 2, 2]], expected: [1, 0, 2], total: 5),
        Known(name: "3x3 anti-diagonal", cost: [[9, 9, 1], [9, 1, 9], [1, 9, 9]], expected: [2, 1, 0], total: 3),
        Known(
            name: "4x4 jobs", cost: [[82, 83, 69, 92], [77, 37, 49, 92], [11, 69, 5, 86], [8, 9, 98, 23]],
            expected: [2, 1, 0, 3], total: 140),
        Known(name: "2x3 wide", cost: [[10, 2, 8], [7, 9, 1]], expected: [1, 2], total: 3),
        Known(name: "3x2 tall", cost: [[10, 7], [2, 9], [8, 1]], expected: [nil, 0, 1], total: 3),
        Known(name: "1x1", cost: [[42]], expected: [0], total: 42),
        Known(name: "1x4 row", cost: [[5, 3, 9, 3]], expected: [1], total: 3),
        Known(name: "4x1 column", cost: [[5], [3], [9], [3]], expected: [nil, 0, nil, nil], total: 3),
        Known(name: "all equal ties pick identity", cost: [[1, 1], [1, 1]], expected: [0, 1], total: 2),
        Known(name: "negative costs", cost: [[-1, -5], [-3, -2]], expected: [1, 0], total: -8),
        Known(name: "no columns", cost: [[], []], expected: [nil, nil], total: 0),
    ]

    @Test(arguments: known)
    func knownMatrix(_ known: Known) {
        let assignment = HungarianAlgorithm.minimumCostAssignment(known.cost)
        #expect(assignment == known.expected, "\(known.name): cost \(known.cost)")
        #expect(HungarianAlgorithm.totalCost(known.cost, assignment: assignment) == known.total)
    }

    @Test func emptyMatrix() {
        #expect(HungarianAlgorithm.minimumCostAssignment([]).isEmpty)
    }

    @Test(arguments: [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (2, 5), (5, 2), (3, 6), (6, 3), (1, 6), (6, 1)], 0..<8)
    func matchesBruteForce(shape: (Int, Int), seed: Int) {
        var random = SplitMix64(seed: UInt64(seed * 131 + shape.0 * 7 + shape.1))
        let cost = (0..<shape.0).map { _ in (0..<shape.1).map { _ in Double(random.next() % 100) } }
        let assignment = HungarianAlgorithm.minimumCostAssignment(cost)
        let expected = bruteForceMinimum(cost)
        let assigned = assignment.compactMap { $0 }
        #expect(assigned.count == min(shape.0, shape.1), "shape \(shape) seed \(seed): \(assignment)")
        #expect(Set(assigned).count == assigned.count, "shape \(shape) seed \(seed): column used twice \(assignment)")
        #expect(
            HungarianAlgorithm.totalCost(cost, assignment: assignment) == expected,
            "shape \(shape) seed \(seed): cost \(cost) assignment \(assignment)")
    }

    /// Minimum total cost over every assignment of size min(rows, columns), by exhaustive search.
    private func bruteForceMinimum(_ cost: [[Double]]) -> Double {
        let rows = cost.count
        let columns = cost[0].count
        var best = Double.infinity
        func search(row: Int, used: Set<Int>, skipped: Int, total: Double) {
            if row == rows {
                best = min(best, total)
                return
            }
            for column in 0..<columns where !used.contains(column) {
                search(row: row + 1, used: used.union([column]), skipped: skipped, total: total + cost[row][column])
            }
            // A row may stay unassigned only when there are more rows than columns.
            if skipped < rows - columns { search(row: row + 1, used: used, skipped: skipped + 1, total: total) }
        }
        search(row: 0, used: [], skipped: 0, total: 0)
        return best
    }
}

/// A tiny seeded generator so tests are reproducible (no global randomness).
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
