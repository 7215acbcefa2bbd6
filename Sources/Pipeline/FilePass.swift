/// One read of a looping file from its start to its end, and what follows it.
struct FilePass: Sendable, Equatable {
    /// Frames the pass handed out (decoded and selected).
    var framesYielded: Int

    /// The `stream` record message of a looping file that ends because a pass yielded nothing.
    static let emptyPassMessage = "loop: a pass over the file yielded no frame (empty or unreadable video); not starting it again"

    /// Whether a looping file starts again: only after a pass that yielded at least one frame, so an empty or
    /// unreadable file ends instead of being reopened in a tight loop.
    var startsAgain: Bool { framesYielded > 0 }
}
