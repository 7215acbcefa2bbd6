/// How a ``Detector`` runs and filters.
public struct DetectorOptions: Sendable, Equatable {
    /// Threads for the network (engine kernels and OpenBLAS).
    public var threads: Int
    /// Report only detections scoring at least this; nil uses the model's own threshold.
    public var minimumScore: Float?
    /// Report only these labels; nil reports every class.
    public var labels: [String]?
    /// Allow Winograd F(4×4, 3×3) for the 3×3 convolutions (``NeuralNet/NetworkOptions/winograd``); false runs them as
    /// direct convolutions.
    public var winograd: Bool

    public init(threads: Int = 1, minimumScore: Float? = nil, labels: [String]? = nil, winograd: Bool = true) {
        self.threads = threads
        self.minimumScore = minimumScore
        self.labels = labels
        self.winograd = winograd
    }
}
