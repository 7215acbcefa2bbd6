import ArgumentParser
import Foundation
import Training

/// `ssdd dataset synthetic`: writes the synthetic detection dataset used to prove that training works.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset", abstract: "Make datasets.", subcommands: [Synthetic.self])

    struct Synthetic: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a synthetic VOC-layout dataset: circles, squares and triangles of several sizes on textured backgrounds.",
            discussion: "Splits: ImageSets/Main/train.txt (the first --train images) and test.txt (the next --test). Deterministic for a seed.")

        @Option(name: [.short, .long], help: "Output directory (created).")
        var output: String

        @Option(help: "Training images.")
        var train = 1300

        @Option(help: "Held-out test images.")
        var test = 200

        @Option(help: "Image side in pixels.")
        var size = 128

        @Option(help: "Seed.")
        var seed: UInt64 = 1

        func validate() throws {
            guard train >= 1, test >= 0, (32...1024).contains(size) else { throw ValidationError("need --train ≥ 1, --test ≥ 0, 32 ≤ --size ≤ 1024") }
        }

        func run() throws {
            let samples = SyntheticDataset(width: size, height: size).generate(count: train + test, seed: seed)
            let root = URL(fileURLWithPath: output)
            try VOCDatasetWriter(root: root, labels: SyntheticDataset.labels)
                .write(samples, splits: ["train": 0..<train, "test": train..<(train + test)])
            Console.write("wrote \(train + test) images (\(train) train, \(test) test) to \(output)\n", to: STDERR_FILENO)
        }
    }
}
