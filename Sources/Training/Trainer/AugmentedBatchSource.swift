import Detection
import Imaging
import ModelStore
import TensorEngine

/// A ``TrainingBatchSource`` over indexed ``DetectionSample``s: a seeded permutation per epoch, the paper's
/// augmentation (or a plain resize), then the model's preprocessing affine to make the network input.
///
/// Batch `i` takes positions `i·size ..< (i+1)·size` of the concatenated epoch permutations, so every sample is seen
/// once per epoch and a resumed run reads the same samples. Each sample's augmentation draws from its own generator
/// seeded by (seed, iteration, slot), so results do not depend on which thread produced them.
public struct AugmentedBatchSource: TrainingBatchSource {
    /// Number of samples.
    public let count: Int
    private let load: @Sendable (Int) throws -> DetectionSample
    private let augmentation: SSDAugmentation?
    private let preprocessing: Preprocessing
    private let seed: UInt64

    /// - Parameters:
    ///   - load: the sample at an index in `0..<count` (called on the prefetch thread).
    ///   - augmentation: nil to only resize (evaluation-style input); its output size must be the network input.
    public init(
        count: Int, preprocessing: Preprocessing, augmentation: SSDAugmentation?, seed: UInt64,
        load: @escaping @Sendable (Int) throws -> DetectionSample
    ) {
        precondition(count > 0, "AugmentedBatchSource: needs at least one sample")
        self.count = count
        self.load = load
        self.augmentation = augmentation
        self.preprocessing = preprocessing
        self.seed = seed
    }

    public func batch(iteration: Int, size: Int) throws -> [TrainingSample] {
        try (0..<size).map { slot in
            let position = iteration * size + slot
            let index = permutation(epoch: position / count)[position % count]
            var random = AugmentationGenerator(seed: seed &+ UInt64(position) &* 0x9E37_79B9_7F4A_7C15)
            let raw = try load(index)
            let p = preprocessing
            let sample =
                augmentation.map { $0.apply(raw, random: &random) } ?? SSDAugmentation.resized(raw, width: p.inputWidth, height: p.inputHeight)
            return Self.trainingSample(sample, preprocessing: p)
        }
    }

    /// The network input for an already-sized sample, with its boxes (pixels of the input) and labels.
    public static func trainingSample(_ sample: DetectionSample, preprocessing p: Preprocessing) -> TrainingSample {
        let image = ImagePreprocessor(p).tensor(for: sample.image)
        let sx = Float(p.inputWidth) / Float(sample.image.width), sy = Float(p.inputHeight) / Float(sample.image.height)
        var boxes: [Float] = []
        for i in 0..<sample.count {
            let b = sample.box(i)
            boxes += [b.x1 * sx, b.y1 * sy, b.x2 * sx, b.y2 * sy]
        }
        return TrainingSample(image: image, boxes: boxes, labels: sample.labels)
    }

    private func permutation(epoch: Int) -> [Int] {
        var random = SeededGenerator(seed: seed ^ (UInt64(epoch) &* 0xD1B5_4A32_D192_ED03))
        return Array(0..<count).shuffled(using: &random)
    }
}
