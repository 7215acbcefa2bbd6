import Foundation
import Synchronization

/// Scratch directories for tests, all under one root per test process (`$TMPDIR/ssdd-tests-<pid>`) that is removed
/// when the process exits, so a test run leaves nothing behind in /tmp even when a test fails half-way.
public enum ScratchDirectory {
    private static let counter = Atomic<Int>(0)

    private static let root: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ssdd-tests-\(getpid())")
        try? FileManager.default.removeItem(at: url)  // left by an earlier process that crashed with the same pid
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: ScratchDirectory.root) }
        return url
    }()

    /// A new, empty directory named `<label>-<n>` (short, so Unix socket paths inside it stay under 108 bytes).
    public static func make(_ label: String) -> URL {
        let n = counter.add(1, ordering: .relaxed).newValue
        let url = root.appendingPathComponent("\(label)-\(n)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
