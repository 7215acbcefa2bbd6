import Foundation
import Testing
import WebAPI

@Suite struct EmbeddedResourcesTests {
    @Test func openAPIDocumentIsTheCheckedInFileAndValidJSON() throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/WebAPI/Resources/openapi.json")
        let onDisk = try [UInt8](Data(contentsOf: source))
        #expect(EmbeddedResources.openAPIDocument == onDisk)
        let object = try JSONSerialization.jsonObject(with: Data(EmbeddedResources.openAPIDocument)) as? [String: Any]
        #expect(object?["openapi"] as? String == "3.0.3")
    }
}
