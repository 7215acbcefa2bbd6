import Foundation
import ModelStore
import TestSupport
import Testing

@testable import ModelImport

/// `importModel` writes a native file that `ModelFile` loads back intact.
@Suite(.enabled(if: RealGraph.isAvailable, "needs frozen_inference_graph.pb (see RealGraph)"))
struct ImportRoundTripTests {
    @Test func importWriteAndLoad() throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-import-tests")
        defer { directory.remove() }
        let destination = directory.file("person.ssdd")
        let imported = try importModel(from: RealGraph.url, to: destination, labels: nil)
        let model = try ModelFile(contentsOf: destination)
        #expect(model.graph == imported.graph)
        #expect(model.manifest == imported.manifest)
        let summary = model.summary
        #expect(summary.architecture == "ssdlite_mobilenet_v2")
        #expect(summary.parameterCount == 3_019_750 && summary.tensorCount == 176)
        #expect(summary.inputWidth == 300 && summary.inputHeight == 300 && summary.labels == ["background", "person"])
        let head = try #require(imported.parameters.first { $0.name == "BoxPredictor_5/ClassPredictor/weights" })
        try model.withParameter(named: head.name) { view in
            #expect(view.shape == head.shape && view.shape == [12, 128, 1, 1])
            #expect(Array(view.values) == head.values)
        }
    }
}
