import NeuralNet
import TensorEngine

extension TrainableNetwork {
    /// Back-propagates one image through every node in reverse order. Slot gradients are allocated when first reached
    /// and freed once their producer has consumed them, so at most the live frontier is held.
    func backwardImage(
        _ image: Int, pass: ForwardPass, nodes: [PreparedNode], needs: [Bool], outputGradients: [TensorStorage],
        parameterGradient: (String) -> UnsafeMutablePointer<Float>?, inputGradient: UnsafeMutablePointer<Float>?
    ) {
        let sizes = shapes.slotShapes.map { $0.reduce(1, *) }
        let n = pass.batchSize
        func value(_ slot: Int) -> UnsafePointer<Float> { UnsafePointer(pass.slots[slot].pointer + image * sizes[slot]) }
        var gradients = [UnsafeMutablePointer<Float>?](repeating: nil, count: sizes.count)
        func gradient(_ slot: Int) -> UnsafeMutablePointer<Float>? {
            guard needs[slot] else { return nil }
            if let existing = gradients[slot] { return existing }
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: sizes[slot])
            buffer.initialize(repeating: 0, count: sizes[slot])
            gradients[slot] = buffer
            return buffer
        }
        defer { for buffer in gradients { buffer?.deallocate() } }
        for (k, slot) in shapes.outputSlots.enumerated() {
            guard let target = gradient(slot) else { continue }
            let source = outputGradients[k].pointer + image * outputGradients[k].count / n
            for i in 0..<sizes[slot] { target[i] += source[i] }
        }
        for index in nodes.indices.reversed() {
            let outSlot = index + 1
            guard let dy = gradients[outSlot] else { continue }
            let inputSlots = shapes.inputSlots[index]
            let y = value(outSlot)
            switch nodes[index] {
            case .convolution(let conv, let weight, let bias):
                conv.backward(
                    x: value(inputSlots[0]), y: y, dy: dy, dx: gradient(inputSlots[0]), dWeights: parameterGradient(weight),
                    dBias: bias.flatMap(parameterGradient))
            case .maxPool(let g):
                if let dx = gradient(inputSlots[0]) { PoolingGradient.backward(g, x: value(inputSlots[0]), dy: dy, dx: dx) }
            case .add(let activation):
                ActivationGradient.apply(activation, output: y, gradient: dy, into: dy, count: sizes[outSlot])
                for slot in inputSlots {
                    guard let dx = gradient(slot) else { continue }
                    for i in 0..<sizes[outSlot] { dx[i] += dy[i] }
                }
            case .concatenate:
                let shape = shapes.slotShapes[outSlot]
                let pixels = shape[0] * shape[1], total = shape[2]
                var offset = 0
                for slot in inputSlots {
                    let channels = shapes.slotShapes[slot][2]
                    if let dx = gradient(slot) {
                        for p in 0..<pixels {
                            for c in 0..<channels { dx[p * channels + c] += dy[p * total + offset + c] }
                        }
                    }
                    offset += channels
                }
            case .l2Normalize(let scale, let name, let epsilon):
                let shape = shapes.slotShapes[outSlot]
                let dx = gradient(inputSlots[0])
                let dScale = parameterGradient(name)
                if dx != nil || dScale != nil {
                    // A frozen scale still needs somewhere to write its (discarded) gradient.
                    let scratch = dScale == nil ? UnsafeMutablePointer<Float>.allocate(capacity: shape[2]) : nil
                    scratch?.initialize(repeating: 0, count: shape[2])
                    defer { scratch?.deallocate() }
                    scale.withUnsafeBufferPointer { s in
                        L2NormalizeGradient.backward(
                            x: value(inputSlots[0]), scale: s.baseAddress!, epsilon: epsilon, dy: dy, dx: dx,
                            dScale: dScale ?? scratch!, pixels: shape[0] * shape[1], channels: shape[2])
                    }
                }
            case .activation(let activation):
                if let dx = gradient(inputSlots[0]) {
                    let dz = UnsafeMutablePointer<Float>.allocate(capacity: sizes[outSlot])
                    defer { dz.deallocate() }
                    ActivationGradient.apply(activation, output: y, gradient: dy, into: dz, count: sizes[outSlot])
                    for i in 0..<sizes[outSlot] { dx[i] += dz[i] }
                }
            }
            dy.deallocate()
            gradients[outSlot] = nil
        }
        if let inputGradient, let d = gradients[0] { inputGradient.update(from: d, count: sizes[0]) }
    }
}
