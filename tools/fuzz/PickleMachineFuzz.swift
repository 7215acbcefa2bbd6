// libFuzzer harness: the pickle machine (ModelImport/PyTorch) on arbitrary programs, then what the checkpoint reader
// does with the tensors it finds: the storage range check and the gather of a strided view.
// Built by tools/fuzz/run.sh together with the machine's sources, so internal types are visible.

@_cdecl("LLVMFuzzerTestOneInput")
public func pickleMachineFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var machine = PickleMachine(bytes: Array(UnsafeBufferPointer(start: data, count: size)), file: "fuzz.pth")
    guard let value = try? machine.run() else { return 0 }
    var pending = [value]
    var visited = 0
    while let next = pending.popLast(), visited < 10_000 {
        visited += 1
        switch next {
        case .dict(let dict): pending += dict.entries.flatMap { [$0.key, $0.value] }
        case .list(let list): pending += list.items
        case .tuple(let items): pending += items
        case .tensor(let tensor): check(tensor)
        default: break
        }
    }
    return 0
}

/// Gathers the view from a small storage when the reader's checks would let it, as TorchCheckpoint does.
private func check(_ tensor: TorchTensorReference) {
    let storage = [Float](repeating: 1, count: 64)
    guard let count = tensor.elementCount, count <= 4096, let end = tensor.storageEnd, end <= storage.count else { return }
    let values = storage.withUnsafeBufferPointer { tensor.gather(from: $0, count: count) }
    precondition(values.count == count)
}
