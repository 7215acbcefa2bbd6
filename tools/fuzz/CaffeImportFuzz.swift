// libFuzzer harness: the Caffe importer (ModelImport/Caffe) on arbitrary bytes. The input is a deploy prototxt (text),
// a zero byte, then a caffemodel (binary NetParameter); without a zero byte the whole input is the prototxt and the
// caffemodel is empty. Drives text and binary decoding, the layer conversion with its shape checks against the blobs,
// the PriorBox and DetectionOutput settings and the converted graph's shape inference.
// Built by tools/fuzz/run.sh together with the importer's sources, so internal types are visible.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func caffeImportFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let split = bytes.firstIndex(of: 0) ?? size
    let text = String(decoding: bytes[..<split], as: UTF8.self)
    let weights = split < size ? Data(bytes[(split + 1)...]) : Data()
    var limits = CaffeReadLimits.standard
    // Small enough that a hostile shape fails fast instead of allocating gigabytes under the sanitizer.
    limits.maximumBlobElements = 1 << 20
    limits.maximumInputSide = 512
    guard let structure = try? CaffeNetFile.prototxt(text: text, file: "fuzz.prototxt", limits: limits),
        let net = try? CaffeNetFile.caffemodel(serialized: weights, file: "fuzz.caffemodel", limits: limits)
    else { return 0 }
    var importer = CaffeImporter(labels: nil, overrides: CaffePreprocessingOverrides())
    importer.limits = limits
    _ = try? importer.convert(
        structure: structure, file: "fuzz.prototxt", weights: CaffeWeights(net, file: "fuzz.caffemodel", limits: limits),
        source: "fuzz")
    return 0
}
