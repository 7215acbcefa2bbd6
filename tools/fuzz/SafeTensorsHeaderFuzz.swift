// libFuzzer harness: the safetensors header parser and validator (ModelStore/SafeTensors) on arbitrary bytes.
// Built by tools/fuzz/run.sh together with the parser's sources, so internal types are visible.

@_cdecl("LLVMFuzzerTestOneInput")
public func safeTensorsHeaderFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let header = try? SafeTensorsHeader(bytes: bytes, file: "fuzz.safetensors") else { return 0 }
    // What a reader does next with a header that passed: every tensor's bytes lie inside the file, none overlap.
    var previousEnd = 0
    for tensor in header.tensors where !tensor.byteRange.isEmpty {
        precondition(tensor.byteRange.lowerBound >= previousEnd, "overlapping tensors accepted")
        precondition(header.dataStart + tensor.byteRange.upperBound <= size, "tensor past the end accepted")
        precondition(tensor.elementCount * tensor.dtype.byteSize == tensor.byteRange.count, "size mismatch accepted")
        previousEnd = tensor.byteRange.upperBound
    }
    return 0
}
