import TensorEngine
import TestSupport
import Testing

@Suite("Pointwise and layout ops")
struct PointwiseTests {
    @Test(arguments: [1, 7, 8, 33, 1000], [FusedActivation.none, .relu, .relu6])
    func vectorMatchesReference(count: Int, activation: FusedActivation) {
        let a = Tensor.random(shape: [count], in: -8...8, seed: 1)
        let b = Tensor.random(shape: [count], in: -8...8, seed: 2)
        #expect(a.adding(b, activation: activation, algorithm: .vector) == a.adding(b, activation: activation, algorithm: .reference))
        #expect(a.activated(activation, algorithm: .vector) == a.activated(activation, algorithm: .reference))
    }

    @Test(arguments: [(9, 9, 16, 2, 2, false), (75, 75, 8, 2, 2, true), (19, 19, 32, 3, 1, false), (5, 6, 24, 3, 2, true)])
    func poolVectorMatchesReference(h: Int, w: Int, c: Int, k: Int, s: Int, ceil: Bool) {
        let x = Tensor.random(shape: [h, w, c], seed: 3)
        let pad: Padding2D = k == 3 ? .uniform(1) : .zero
        let ref = x.maxPool(kernelHeight: k, kernelWidth: k, strideY: s, strideX: s, padding: pad, ceilMode: ceil, algorithm: .reference)
        let fast = x.maxPool(
            kernelHeight: k, kernelWidth: k, strideY: s, strideX: s, padding: pad, ceilMode: ceil, algorithm: .vector,
            pool: ComputePool(threadCount: 2))
        #expect(fast == ref, "pool \(h)x\(w)x\(c) k\(k) s\(s) ceil \(ceil)")
    }

    @Test func softmaxAndSigmoid() {
        let x = Tensor(shape: [2, 2], values: [0, 0, 1000, 1000 + Float(2).squareRoot()])
        let s = x.softmax()
        #expect(s[0, 0] == 0.5 && s[0, 1] == 0.5)
        #expect(abs(s[1, 0] + s[1, 1] - 1) < 1e-6 && s[1, 1] > s[1, 0])
        let g = Tensor(shape: [3], values: [0, 50, -50]).sigmoid()
        #expect(g.values[0] == 0.5 && g.values[1] == 1 && g.values[2] < 1e-20)
    }

    @Test func permuteNHWCToNCHWAndBack() {
        let x = Tensor.random(shape: [1, 3, 4, 5], seed: 4)
        let nchw = x.permuted([0, 3, 1, 2])
        #expect(nchw.shape == [1, 5, 3, 4])
        #expect(nchw[0, 4, 2, 1] == x[0, 2, 1, 4])
        #expect(nchw.permuted([0, 2, 3, 1]) == x)
        #expect(x.reshaped([12, 5]).shape == [12, 5])
    }

    @Test func concatenateChannels() {
        let a = Tensor(shape: [1, 2, 1], values: [1, 2])
        let b = Tensor(shape: [1, 2, 2], values: [3, 4, 5, 6])
        #expect(Tensor.concatenatingChannels([a, b]).values == [1, 3, 4, 2, 5, 6])
    }

    @Test func copyOnWrite() {
        let a = Tensor(shape: [2], values: [1, 2])
        var b = a
        b[flat: 0] = 9
        #expect(a.values == [1, 2] && b.values == [9, 2])
        a.withUnsafeBufferPointer { #expect(Int(bitPattern: $0.baseAddress!) % 64 == 0) }
    }
}
