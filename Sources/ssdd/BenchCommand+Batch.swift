import Detection
import Foundation
import ModelStore
import NeuralNet
import TensorEngine

extension BenchCommand {
    /// `ssdd bench --batch N`: one network compiled for batches of `N`; each round times `N` single forward passes,
    /// then one ``NeuralNet/Network/forward(batch:)`` of `N` images, so both see the same machine load (rounds
    /// interleave); prints the median ms per frame of each and their ratio.
    func compareBatch(file: ModelFile) throws {
        let detector = try Detector(model: file, options: DetectorOptions(threads: threads, winograd: !noWinograd, maxBatch: batch))
        let network = detector.network
        let p = file.manifest.preprocessing
        let inputs = (0..<batch).map { image in
            // Deterministic, non-constant inputs in the network's range, different per image.
            var values = [Float](repeating: 0, count: p.inputWidth * p.inputHeight * 3)
            for i in values.indices { values[i] = Float((i * 7919 + image * 104_729) % 255) / 127.5 - 1 }
            return Tensor(shape: [p.inputHeight, p.inputWidth, 3], values: values)
        }
        for _ in 0..<warmup {
            for input in inputs { _ = try network.forward(input) }
            _ = try network.forward(batch: inputs)
        }
        var single: [Double] = []
        var batched: [Double] = []
        for _ in 0..<frames {
            var start = DispatchTime.now().uptimeNanoseconds
            for input in inputs { _ = try network.forward(input) }
            single.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(batch))
            start = DispatchTime.now().uptimeNanoseconds
            _ = try network.forward(batch: inputs)
            batched.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(batch))
        }
        let one = single.sorted()[single.count / 2]
        let many = batched.sorted()[batched.count / 2]
        Console.writeLine(
            "model \(file.manifest.architecture), threads \(threads), GEMM kernel \(TensorEngineInfo.gemmKernel), \(frames) interleaved rounds of \(batch) frames"
        )
        Console.writeLine(String(format: "batch 1:  median %.2f ms/frame  %.1f frames/s", one, 1000 / one))
        Console.writeLine(
            String(format: "batch %d:  median %.2f ms/frame  %.1f frames/s  (%.3f× the time of batch 1)", batch, many, 1000 / many, many / one))
    }
}
