/// The debounced side of a border one track is on (inside or outside a zone; right or left of a line), given the
/// firm observations of ``Steadiness``: pure state, one per track and place.
struct SideTracker: Sendable {
    /// A confirmed change of side.
    struct Change: Sendable {
        /// The side before; nil when the side was not known yet (never for a change that is reported).
        var from: Bool?
        /// The side now.
        var to: Bool
        /// The last firm observation on the old side.
        var lastBefore: Sighting?
        /// The first firm observation on the new side (where the run that confirmed it began).
        var firstAfter: Sighting
    }

    /// The confirmed side; nil until the first firm observation when the tracker starts without one.
    private(set) var side: Bool?
    private var lastFirm: Sighting?
    private var runStart: Sighting?
    private var run = 0

    /// A tracker on `side` (nil: the first firm observation sets the side without a change).
    init(side: Bool?) { self.side = side }

    /// Takes one observation: `firm` is its side, or nil when it lies within the margin. Returns the change it
    /// confirms, if any: the `frames`-th firm observation in a row on the other side.
    mutating func observe(_ firm: Bool?, _ sighting: Sighting, frames: Int) -> Change? {
        guard let firm else { return nil }
        guard let current = side else {
            side = firm
            lastFirm = sighting
            return nil
        }
        if firm == current {
            run = 0
            runStart = nil
            lastFirm = sighting
            return nil
        }
        if run == 0 { runStart = sighting }
        run += 1
        guard run >= max(1, frames), let first = runStart else { return nil }
        let change = Change(from: current, to: firm, lastBefore: lastFirm, firstAfter: first)
        side = firm
        lastFirm = sighting
        run = 0
        runStart = nil
        return change
    }
}
