import TensorEngine

/// Derivatives of the fused activations, taken from the activation's *output* (what the forward pass keeps).
enum ActivationGradient {
    /// `dz[i] = dy[i] · act′` where `act′` is 1 for `.none`, `y > 0` for ReLU and `0 < y < 6` for ReLU6 (PyTorch's
    /// `hardtanh_backward` also passes no gradient at the clip points). `dz` may equal `dy`.
    static func apply(
        _ activation: FusedActivation, output y: UnsafePointer<Float>, gradient dy: UnsafePointer<Float>,
        into dz: UnsafeMutablePointer<Float>, count: Int
    ) {
        switch activation {
        case .none:
            if UnsafePointer(dz) != dy { dz.update(from: dy, count: count) }
        case .relu:
            for i in 0..<count { dz[i] = y[i] > 0 ? dy[i] : 0 }
        case .relu6:
            for i in 0..<count { dz[i] = y[i] > 0 && y[i] < 6 ? dy[i] : 0 }
        }
    }
}
