import Evaluation
import Foundation
import Imaging
import MediaIO
import TestSupport
import Testing

@testable import Training

/// The synthetic dataset generator and the VOC round trip.
@Suite struct DataSyntheticTests {
    @Test func generatorIsDeterministicAndBoxesAreTight() {
        let generator = SyntheticDataset(width: 64, height: 48)
        let samples = generator.generate(count: 6, seed: 9)
        #expect(samples == generator.generate(count: 6, seed: 9))
        #expect(Set(samples.flatMap(\.labels)).isSubset(of: [1, 2, 3]))
        for sample in samples {
            #expect(sample.count >= 1 && sample.image.width == 64 && sample.image.height == 48)
            for i in 0..<sample.count {
                let b = sample.box(i)
                #expect(b.x1 >= 0 && b.y1 >= 0 && b.x2 <= 64 && b.y2 <= 48 && b.x2 - b.x1 >= 3 && b.y2 - b.y1 >= 3)
            }
        }
    }

    @Test func vocRoundTripIsExactAndSelfEvaluationIsPerfect() throws {
        let root = ScratchDirectory.make("voc")
        defer { try? FileManager.default.removeItem(at: root) }
        var samples = SyntheticDataset(width: 40, height: 32).generate(count: 4, seed: 2)
        samples[1].difficult[0] = true
        try VOCDatasetWriter(root: root, labels: SyntheticDataset.labels).write(samples, splits: ["train": 0..<3, "test": 3..<4])
        let train = try DetectionDataset.loadVOC(root: root, split: "train", loadImage: StillImage.decode)
        #expect(train.labels == SyntheticDataset.labels)
        #expect(train.samples == Array(samples[0..<3]))
        let truth = try VOCDatasetReader(root: root).read(split: nil)
        #expect(truth.images == ["000000", "000001", "000002", "000003"])
        let perfect = truth.objects.map { ScoredDetection(imageID: $0.imageID, label: $0.label, score: 1, box: $0.box) }
        // Eleven additions of 1/11 give 0.9999999999999999, in voc_eval.py too.
        #expect(abs(try VOCEvaluator().evaluate(perfect, groundTruth: truth).meanAveragePrecision - 1) < 1e-15)
        #expect(try VOCEvaluator(metric: .area).evaluate(perfect, groundTruth: truth).meanAveragePrecision == 1)
    }

    @Test func pngEncoderChecksums() {
        // Known values: CRC-32 of "IEND" and Adler-32 of "Wikipedia".
        #expect(PNGEncoder.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(Array(PNGEncoder.zlibStored(Array("Wikipedia".utf8)).suffix(4)) == [0x11, 0xE6, 0x03, 0x98])
    }
}
