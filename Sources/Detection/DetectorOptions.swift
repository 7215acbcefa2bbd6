/// How a ``Detector`` runs and filters.
public struct DetectorOptions: Sendable, Equatable {
    /// Threads for the network (engine kernels and OpenBLAS).
    public var threads: Int
    /// Report only detections scoring at least this; nil uses the model's own threshold.
    public var minimumScore: Float?
    /// Report only these labels; nil reports every class.
    public var labels: [String]?

    public init(threads: Int = 1, minimumScore: Float? = nil, labels: [String]? = nil) {
        self.threads = threads
        self.minimumScore = minimumScore
        self.labels = labels
    }
}
