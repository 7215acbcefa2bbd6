import ArgumentParser
import Detection
import Foundation
import ModelImport
import ModelStore
import NeuralNet

/// `ssdd model import|info|calibrate|compare-precision`.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Import foreign models into the native format and inspect model files.",
        subcommands: [Import.self, Info.self, Calibrate.self, ComparePrecision.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert a TF Object Detection API frozen graph (.pb) or a torchvision SSD checkpoint (.pth) to a native .safetensors model.")

        @Argument(help: "The model to import.")
        var source: String

        @Option(name: [.short, .long], help: "Where to write the native model.")
        var output: String

        @Option(help: "Comma-separated labels for the class slots after background (default: person for 1-class graphs, COCO for 90).")
        var labels: String?

        func run() throws {
            let labelList = labels.map { ["background"] + $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            let model = try importModel(from: URL(fileURLWithPath: source), to: URL(fileURLWithPath: output), labels: labelList)
            let count = model.parameters.reduce(0) { $0 + $1.values.count }
            Console.write(
                "imported \(model.manifest.architecture): \(model.parameters.count) tensors, \(count) parameters, \(model.manifest.labels.count - 1) classes → \(output)\n",
                to: STDERR_FILENO)
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a model file's metadata, validate it and print ok if ssdd can run it.",
            discussion:
                "Runs exactly the validation `ssdd detect` and `ssdd run` run at load (every manifest and graph value, their consistency, the memory the detector needs) and compiles the network. Exit status 1, with the file and the key at fault, if the model cannot run."
        )

        @Argument(help: "A native model file.")
        var file: String

        @Option(help: "Validate for this many inference threads (scratch memory grows with them).")
        var threads = 1

        func validate() throws {
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        }

        func run() throws {
            let model = try ModelFile(contentsOf: URL(fileURLWithPath: file))
            let options = DetectorOptions(threads: threads)
            let report = try ModelValidation.validate(model, options: options)
            // Building the detector is what `detect` and the daemon do next: compile the network, generate the anchors.
            _ = try Detector(model: model, options: options)
            Console.writeLine(model.summary.description)
            Console.writeLine(
                "memory:       \(NetworkFootprint.format(bytes: report.bytes)) (network \(report.network), \(report.anchorCount) anchors)")
            Console.writeLine("ok")
        }
    }
}
