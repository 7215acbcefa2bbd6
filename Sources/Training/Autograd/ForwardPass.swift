import TensorEngine

/// The values one ``TrainableNetwork/forward(_:parameters:)`` computed, kept for the backward pass.
///
/// Holds every intermediate activation of every image (`N × Σ slot sizes` floats) and the parameters as they were
/// read, so backward differentiates exactly the function forward evaluated even if the caller updates its weights.
public struct ForwardPass: Sendable {
    /// Images in the batch.
    public let batchSize: Int
    /// Per-image `[H, W, C]` of every slot (slot 0 is the input, slot `i + 1` node `i`'s output).
    let slotShapes: [[Int]]
    /// `N × slot size` floats per slot, image-major.
    let slots: [TensorStorage]
    let outputSlots: [Int]
    /// The parameters the pass read.
    public let parameters: ParameterSet

    /// The graph outputs, each `[N, H, W, C]`, in ``NeuralNet/NetworkGraph/outputs`` order.
    public var outputs: [Tensor] {
        outputSlots.map { Tensor(shape: [batchSize] + slotShapes[$0], storage: slots[$0]) }
    }
}

/// What one backward pass returns.
public struct Gradients: Sendable {
    /// `∂L/∂θ` for every trainable parameter the graph reads (same names and shapes as the parameters).
    public var parameters: ParameterSet
    /// `∂L/∂input` `[N, H, W, C]` when it was asked for.
    public var input: Tensor?
}
