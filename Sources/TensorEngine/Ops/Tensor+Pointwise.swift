extension Tensor {
    /// `act(self)` elementwise.
    public func activated(_ activation: FusedActivation, algorithm: PointwiseAlgorithm = .vector) -> Tensor {
        var y = Tensor(shape: shape)
        withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { out in
                Pointwise.activate(
                    activation, x.baseAddress!, out.baseAddress!, count: count, algorithm: algorithm,
                    pool: ComputePool(threadCount: 1))
            }
        }
        return y
    }

    /// `act(self + other)` elementwise; shapes must match.
    public func adding(_ other: Tensor, activation: FusedActivation = .none, algorithm: PointwiseAlgorithm = .vector) -> Tensor {
        precondition(shape == other.shape, "adding: shapes \(shape) and \(other.shape) differ")
        var y = Tensor(shape: shape)
        withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                y.withUnsafeMutableBufferPointer { out in
                    Pointwise.add(
                        a.baseAddress!, b.baseAddress!, out.baseAddress!, count: count, activation: activation,
                        algorithm: algorithm, pool: ComputePool(threadCount: 1))
                }
            }
        }
        return y
    }

    /// Logistic sigmoid elementwise.
    public func sigmoid() -> Tensor {
        var y = Tensor(shape: shape)
        withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { ReferencePointwise.sigmoid(x.baseAddress!, $0.baseAddress!, count: count) }
        }
        return y
    }

    /// Softmax over the last axis.
    public func softmax() -> Tensor {
        precondition(!shape.isEmpty && shape.last! > 0, "softmax: shape \(shape) has no last axis")
        var y = Tensor(shape: shape)
        let width = shape.last!
        withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer {
                ReferencePointwise.softmax(x.baseAddress!, $0.baseAddress!, rows: count / width, width: width)
            }
        }
        return y
    }

    /// Per pixel of `[…, C]`: `x / max(‖x‖₂, epsilon) · scale[c]` (SSD's conv4_3 L2Norm). `scale` has shape `[C]`.
    public func l2Normalized(scale: Tensor, epsilon: Float = 1e-12) -> Tensor {
        let channels = shape.last ?? 0
        precondition(scale.shape == [channels], "l2Normalized: scale \(scale.shape), expected [\(channels)]")
        var y = Tensor(shape: shape)
        withUnsafeBufferPointer { x in
            scale.withUnsafeBufferPointer { s in
                y.withUnsafeMutableBufferPointer {
                    Pointwise.l2Normalize(
                        x.baseAddress!, scale: s.baseAddress!, epsilon: epsilon, $0.baseAddress!,
                        pixels: count / max(channels, 1), channels: channels, pool: ComputePool(threadCount: 1))
                }
            }
        }
        return y
    }

    /// Concatenates tensors `[…, C_i]` with equal leading axes along the last (channel) axis.
    public static func concatenatingChannels(_ tensors: [Tensor]) -> Tensor {
        precondition(!tensors.isEmpty, "concatenatingChannels: no inputs")
        let lead = Array(tensors[0].shape.dropLast())
        precondition(tensors.allSatisfy { Array($0.shape.dropLast()) == lead }, "concatenatingChannels: leading axes differ")
        let channels = tensors.map { $0.shape.last ?? 1 }
        var y = Tensor(shape: lead + [channels.reduce(0, +)])
        let pixels = lead.reduce(1, *)
        let storages = tensors.map(\.storage)
        withExtendedLifetime(storages) {
            let inputs = zip(storages, channels).map { (pointer: UnsafePointer($0.0.pointer), channels: $0.1) }
            y.withUnsafeMutableBufferPointer { Pointwise.concatenateChannels(inputs, $0.baseAddress!, pixels: pixels) }
        }
        return y
    }

    /// Axis permutation: output axis `i` is input axis `order[i]` (e.g. `[0, 3, 1, 2]` turns NHWC into NCHW).
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<shape.count), "permuted: \(order) is not a permutation of \(shape.count) axes")
        var y = Tensor(shape: order.map { shape[$0] })
        withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { ReferencePointwise.permute(x.baseAddress!, shape: shape, order: order, $0.baseAddress!) }
        }
        return y
    }
}
