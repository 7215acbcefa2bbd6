import NeuralNet
import TensorEngine

/// How a ``Detector`` runs and filters.
public struct DetectorOptions: Sendable, Equatable {
    /// Threads for the network's engine kernels (OpenBLAS always runs one thread: `Network.forward` sets it).
    public var threads: Int
    /// Report only detections scoring at least this; nil uses the model's own threshold.
    public var minimumScore: Float?
    /// Report only these labels; nil reports every class.
    public var labels: [String]?
    /// Allow Winograd F(4×4, 3×3) for the 3×3 convolutions (``NeuralNet/NetworkOptions/winograd``); false runs them as
    /// direct convolutions.
    public var winograd: Bool
    /// Most bytes one detector may allocate (network and detection buffers, ``ModelValidation/Report/bytes``); a model
    /// that needs more is rejected before anything is allocated. Each ``Detector/replica()`` adds its activations and
    /// scratch again.
    public var memoryLimit: Int
    /// The network's arithmetic (``NeuralNet/NetworkOptions/precision``): fp32 by default.
    public var precision: Precision = .fp32
    /// Most images one ``Detector/detect(batch:)`` runs in one forward pass (``NeuralNet/NetworkOptions/maxBatch``); the
    /// network's activation buffers are sized for this many.
    public var maxBatch: Int = 1
    /// ``NeuralNet/NetworkOptions/fusesLayers``: true but for calibration (``Detector/calibration(on:)``).
    public var fusesLayers = true

    public init(
        threads: Int = 1, minimumScore: Float? = nil, labels: [String]? = nil, winograd: Bool = true,
        memoryLimit: Int = NetworkOptions.defaultMemoryLimit, maxBatch: Int = 1
    ) {
        self.threads = threads
        self.minimumScore = minimumScore
        self.labels = labels
        self.winograd = winograd
        self.memoryLimit = memoryLimit
        self.maxBatch = max(1, maxBatch)
    }

    /// The options of the detector's network.
    var networkOptions: NetworkOptions {
        var options = NetworkOptions(threads: threads, winograd: winograd, memoryLimit: memoryLimit, maxBatch: maxBatch)
        options.precision = precision
        options.fusesLayers = fusesLayers
        return options
    }
}
