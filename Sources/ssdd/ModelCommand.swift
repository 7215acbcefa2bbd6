import ArgumentParser
import Foundation
import ModelImport
import ModelStore

/// `ssdd model import|info`.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Import foreign models into the native format and inspect model files.",
        subcommands: [Import.self, Info.self])

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
            Console.write("imported \(model.manifest.architecture): \(model.parameters.count) tensors, \(count) parameters, \(model.manifest.labels.count - 1) classes → \(output)\n", to: STDERR_FILENO)
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a model file's metadata and parameter count.")

        @Argument(help: "A native model file.")
        var file: String

        func run() throws {
            let model = try ModelFile(contentsOf: URL(fileURLWithPath: file))
            Console.writeLine(model.summary.description)
        }
    }
}
