import Digests
import Foundation
import Testing

@Suite("SHA-256 by libcrypto")
struct SHA256DigestTests {
    /// FIPS 180-4 examples (NIST's "abc", the two-block messages, a million "a") and the empty message.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
        (String(repeating: "a", count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ])
    func knownAnswers(message: String, digest: String) throws {
        #expect(try SHA256Digest.hexadecimal(of: Data(message.utf8)) == digest)
    }

    /// A buffer of several blocks with every byte value, against the `sha256sum` command on the same bytes in a file.
    @Test func agreesWithSha256sum() throws {
        let bytes = Data((0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ssdd-digest-\(UUID().uuidString).bin")
        try bytes.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let expected = String(decoding: output.prefix(64), as: UTF8.self)
        #expect(expected.count == 64)
        #expect(try SHA256Digest.hexadecimal(of: bytes) == expected)
    }

    /// A slice of a larger buffer (a non-zero start index) digests its own bytes only.
    @Test func sliceDigestsItsOwnBytes() throws {
        let whole = Data("xxabcyy".utf8)
        #expect(try SHA256Digest.hexadecimal(of: whole[2..<5]) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
