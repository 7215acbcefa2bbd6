import Foundation

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
final class Progress {
    private let input: String
    private let total: Int?
    private let enabled = isatty(STDERR_FILENO) == 1
    private let started = Date()
    private var lastDraw = Date.distantPast

    init(input: String, total: Int?) {
        self.input = input
        self.total = total
    }

    func update(frame: Int) {
        guard enabled, Date().timeIntervalSince(lastDraw) > 0.2 else { return }
        lastDraw = Date()
        let rate = Double(frame) / max(Date().timeIntervalSince(started), 1e-3)
        var text = "\r\(input): frame \(frame)"
        if let total, total > 0 {
            let width = 30
            let filled = min(width, frame * width / total)
            text += "/\(total) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
        }
        text += String(format: " %.1f frames/s ", rate)
        Console.write(text, to: STDERR_FILENO)
    }

    func finish() {
        if enabled { Console.write("\r\u{1B}[K", to: STDERR_FILENO) }
    }
}
