import Digests
import Foundation
import Testing

@testable import ModelImport

/// The synthetic images documented in tools/tf_ssdlite_golden.py regenerate byte for byte in Swift: their sha256
/// equals the `rgb_sha256` recorded in the fixture JSON, so parity tests can rebuild the exact input TF was fed.
@Suite struct SyntheticImageFixtureTests {
    /// 640×480 hash noise: per channel c, uint32 wrap-around h = x·2654435761 + y·40503 + c·97 + 12345, then
    /// h ^= h >> 15; h *= 2246822519; h ^= h >> 13; h *= 3266489917; h ^= h >> 16; value = h & 0xFF.
    static func hashNoise() -> [UInt8] {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(640 * 480 * 3)
        for y in 0..<UInt32(480) {
            for x in 0..<UInt32(640) {
                for c in 0..<UInt32(3) {
                    var h = x &* 2_654_435_761 &+ y &* 40503 &+ c &* 97 &+ 12345
                    h ^= h >> 15
                    h = h &* 2_246_822_519
                    h ^= h >> 13
                    h = h &* 3_266_489_917
                    h ^= h >> 16
                    pixels.append(UInt8(truncatingIfNeeded: h))
                }
            }
        }
        return pixels
    }

    static func recordedDigest(_ image: String) throws -> String {
        let data = try Data(contentsOf: SharedFixtures.ssdlite.appendingPathComponent("\(image).json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try #require(object?["rgb_sha256"] as? String)
    }

    @Test func gradientMatchesFixture() throws {
        #expect(try SHA256Digest.hexadecimal(of: Data(EngineParityTests.gradient())) == (try Self.recordedDigest("gradient")))
    }

    @Test func hashNoiseMatchesFixture() throws {
        #expect(try SHA256Digest.hexadecimal(of: Data(Self.hashNoise())) == (try Self.recordedDigest("hashnoise")))
    }
}
