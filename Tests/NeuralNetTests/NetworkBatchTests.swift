import TensorEngine
import TestSupport
import Testing

@testable import NeuralNet

/// ``Network/forward(batch:)``: N images in one pass give exactly (bitwise) the outputs of N single passes.
@Suite("Network batched forward")
struct NetworkBatchTests {
    @Test(
        "SSDLite (random weights): every batch size up to maxBatch, at 1 and 2 threads, equals single-image passes bitwise",
        arguments: [1, 2])
    func ssdLiteBatchEqualsSinglePasses(threads: Int) throws {
        let b = SSDLiteMobileNetV2Graph.make(inputSize: 64)
        let params = b.randomParameters(seed: 11)
        let network = try Network(graph: b.graph, parameters: params, options: NetworkOptions(threads: threads, maxBatch: 3))
        // The pointwise convolutions outside the fused inverted-residual blocks (Conv_1, the expansion the heads read)
        // must really run as one GEMM over the batch, or this test would only check the per-image loop.
        #expect(network.stepsRunningImagesTogether >= 2, "\(network.stepsRunningImagesTogether) steps batched")
        let inputs = (0..<3).map { Tensor.random(shape: [64, 64, 3], seed: UInt64(20 + $0)) }
        let singles = try inputs.map { try network.forward($0) }
        for count in 1...3 {
            let batched = try network.forward(batch: Array(inputs.prefix(count)))
            #expect(batched.count == count)
            for image in 0..<count {
                for (output, (got, want)) in zip(batched[image], singles[image]).enumerated() {
                    #expect(got.shape == want.shape)
                    #expect(
                        got.values.map(\.bitPattern) == want.values.map(\.bitPattern),
                        "batch \(count), image \(image), output \(b.graph.outputs[output])")
                }
            }
        }
    }

    @Test("every op (pooling, add, concatenate, L2 norm, activation) in a batch equals single passes bitwise")
    func everyOpBatchEqualsSinglePasses() throws {
        let b = NetworkGraphTests.everyOpGraph()
        let network = try Network(
            graph: b.graph, parameters: b.randomParameters(seed: 5), options: NetworkOptions(threads: 2, maxBatch: 4))
        let inputs = (0..<4).map { Tensor.random(shape: [11, 11, 8], seed: UInt64(40 + $0)) }
        let batched = try network.forward(batch: inputs)
        for (image, input) in inputs.enumerated() {
            #expect(batched[image] == (try network.forward(input)), "image \(image)")
        }
    }

    @Test("a replica runs batches with buffers of its own; [1, H, W, C] inputs are accepted")
    func replicaBatches() throws {
        let b = NetworkGraphTests.everyOpGraph()
        let network = try Network(
            graph: b.graph, parameters: b.randomParameters(seed: 5), options: NetworkOptions(maxBatch: 2))
        let replica = network.replica()
        let inputs = [Tensor.random(shape: [1, 11, 11, 8], seed: 1), Tensor.random(shape: [11, 11, 8], seed: 2)]
        #expect(try replica.forward(batch: inputs) == (try network.forward(batch: inputs)))
    }

    @Test("an empty batch, one above maxBatch and a wrong input shape are errors naming the problem")
    func batchErrors() throws {
        let b = NetworkGraphTests.everyOpGraph()
        let network = try Network(
            graph: b.graph, parameters: b.randomParameters(seed: 5), options: NetworkOptions(maxBatch: 2))
        let input = Tensor.random(shape: [11, 11, 8], seed: 1)
        #expect(throws: NetworkError.invalidValue(key: "batch", reason: "has 0 images; this network runs 1 to 2 (maxBatch)")) {
            try network.forward(batch: [])
        }
        #expect(throws: NetworkError.invalidValue(key: "batch", reason: "has 3 images; this network runs 1 to 2 (maxBatch)")) {
            try network.forward(batch: [input, input, input])
        }
        #expect(throws: NetworkError.inputShape(expected: [11, 11, 8], actual: [11, 11, 7])) {
            try network.forward(batch: [input, Tensor.random(shape: [11, 11, 7], seed: 3)])
        }
    }

    @Test("the footprint and the buffers hold maxBatch images of activations; weights and scratch do not grow")
    func footprintScalesActivations() throws {
        let b = SSDLiteMobileNetV2Graph.make(inputSize: 64)
        let one = try b.graph.footprint(options: NetworkOptions(maxBatch: 1))
        let four = try b.graph.footprint(options: NetworkOptions(maxBatch: 4))
        #expect(four.activationFloats == 4 * one.activationFloats)
        #expect(four.weightFloats == one.weightFloats && four.scratchFloats == one.scratchFloats)
        let params = b.randomParameters(seed: 1)
        let single = try Network(graph: b.graph, parameters: params, options: NetworkOptions(maxBatch: 1))
        let batched = try Network(graph: b.graph, parameters: params, options: NetworkOptions(maxBatch: 4))
        #expect(batched.preallocatedCount > single.preallocatedCount)
        // A limit between the two footprints admits batch 1 and rejects batch 4 before allocating.
        let limit = one.bytes + (four.bytes - one.bytes) / 2
        #expect(throws: NetworkError.exceedsMemoryLimit(footprint: four, limit: limit)) {
            try Network(graph: b.graph, parameters: params, options: NetworkOptions(memoryLimit: limit, maxBatch: 4))
        }
    }
}
