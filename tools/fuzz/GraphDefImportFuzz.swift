// libFuzzer harness: the TensorFlow GraphDef importer (ModelImport/TensorFlow) on arbitrary bytes, from protobuf
// decoding through input checks, constants, the network builder and the detection settings.
// Built by tools/fuzz/run.sh together with the importer's sources, so internal types are visible.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func graphDefImportFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    _ = try? TensorFlowDetectionImporter().importGraph(serialized: bytes, file: "fuzz.pb", source: "fuzz")
    // The importer stops at the first missing piece, so also drive the builder and settings on whatever parses.
    guard let graph = try? TensorFlowGraph(serialized: bytes, file: "fuzz.pb") else { return 0 }
    var builder = TensorFlowNetworkBuilder(graph: graph, inputNode: "input", inputName: "input", inputShape: [32, 32, 3])
    for node in graph.nodes.prefix(64) {
        _ = try? builder.convert(node.name)
    }
    _ = try? TensorFlowAnchorExtraction.boxSpecs(in: graph)
    _ = try? TensorFlowDetectionSettings.postprocessing(in: graph)
    _ = try? TensorFlowDetectionSettings.boxCoding(in: graph)
    _ = try? TensorFlowDetectionSettings.preprocessing(in: graph, backboneInput: "input")
    return 0
}
