import Imaging
import NeuralNet
import TensorEngine

extension Detector {
    /// Detects objects in each of `images` (boxes in that image's pixels), running up to
    /// ``DetectorOptions/maxBatch`` of them in one forward pass (``NeuralNet/Network/forward(batch:)``). The detections
    /// are exactly those of ``detect(_:)`` on each image alone: the batched pass gives bitwise the same network outputs.
    public func detect<Source: RGBRowSource>(batch images: [Source]) throws -> [[Detection]] {
        if images.count == 1 { return [try detect(images[0])] }
        var results: [[Detection]] = []
        results.reserveCapacity(images.count)
        var start = 0
        while start < images.count {
            let chunk = images[start..<min(images.count, start + network.options.maxBatch)]
            let outputs = try network.forward(batch: chunk.indices.map { reusableInput(chunk[$0], slot: $0 - start) })
            for (image, imageOutputs) in zip(chunk, outputs) {
                let candidates = try candidates(fromRaw: rawOutputs(networkOutputs: imageOutputs))
                results.append(detections(from: candidates, sourceWidth: image.width, sourceHeight: image.height))
            }
            start = chunk.endIndex
        }
        return results
    }
}
