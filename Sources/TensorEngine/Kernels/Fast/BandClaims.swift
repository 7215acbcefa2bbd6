import Synchronization

/// Bands of output rows handed out from both ends of a range: one task takes them from the top down, another from the
/// bottom up, until the two meet. Two threads so share a fused block's rows at the granularity of a band (a thread the
/// VM slows down, or one that starts late, simply takes fewer) while the expanded rows two bands share are recomputed
/// only at the single seam where the two directions meet, as with a fixed split in halves.
final class BandClaims: Sendable {
    /// `front << 32 | back`: rows `front..<back` are still unclaimed.
    private let bounds: Atomic<Int>
    let bandRows: Int

    /// - Precondition: `0 ≤ rows.lowerBound ≤ rows.upperBound < 2³¹`, `bandRows ≥ 1`.
    init(_ rows: Range<Int>, bandRows: Int) {
        precondition(rows.lowerBound >= 0 && rows.upperBound < 1 << 31 && bandRows >= 1, "BandClaims: \(rows), \(bandRows)")
        bounds = Atomic(rows.lowerBound << 32 | rows.upperBound)
        self.bandRows = bandRows
    }

    /// The next band from the top (at most `bandRows` rows), or `nil` when every row is claimed.
    func takeFront() -> Range<Int>? {
        take { front, back in front..<min(back, front + bandRows) }
    }

    /// The next band from the bottom (at most `bandRows` rows), or `nil` when every row is claimed.
    func takeBack() -> Range<Int>? {
        take { front, back in max(front, back - bandRows)..<back }
    }

    private func take(_ band: (_ front: Int, _ back: Int) -> Range<Int>) -> Range<Int>? {
        var current = bounds.load(ordering: .relaxed)
        while true {
            let front = current >> 32, back = current & 0xFFFF_FFFF
            if front >= back { return nil }
            let claimed = band(front, back)
            let next = (claimed.lowerBound == front ? claimed.upperBound : front) << 32 | (claimed.upperBound == back ? claimed.lowerBound : back)
            let (exchanged, original) = bounds.compareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged { return claimed }
            current = original
        }
    }
}
