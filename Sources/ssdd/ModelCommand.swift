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
            abstract:
                "Convert a TF Object Detection API frozen graph (.pb), a torchvision SSD checkpoint (.pth) or a Caffe SSD (deploy.prototxt + .caffemodel) to a native .safetensors model.",
            discussion: """
                Caffe SSD (weiliu89's SSD300/SSD512 VGG16, MobileNet-SSD, ...): give the deploy prototxt and the caffemodel, \
                either as `ssdd model import deploy.prototxt --weights X.caffemodel -o Y.safetensors` or as two files in \
                any order (told apart by extension, else by content). The caffemodel may be a training snapshot: blobs are \
                matched to the prototxt's layers by name. A prototxt does not state the preprocessing: recognised VGG \
                models get BGR, mean 104,117,123, scale 1; MobileNet-SSD BGR, mean 127.5, scale 0.007843 (what OpenCV DNN \
                feeds them); --mean, --scale and --channel-order override it.
                """)

        @Argument(help: "The model to import (.pb, .pth), or a Caffe deploy prototxt and/or caffemodel.")
        var sources: [String]

        @Option(name: [.short, .long], help: "Where to write the native model.")
        var output: String

        @Option(help: "Caffe: the .caffemodel holding the weights of the prototxt given as source.")
        var weights: String?

        @Option(
            help:
                "Labels for the class slots after background: comma-separated, or a file with one per line (default: person for 1-class graphs, COCO for 90, PASCAL VOC for 20 Caffe classes)."
        )
        var labels: String?

        @Option(help: "Caffe: per-channel mean subtracted from 0…255 pixels, in the network's channel order (e.g. 104,117,123).")
        var mean: String?

        @Option(help: "Caffe: factor applied after subtracting the mean (e.g. 0.007843).")
        var scale: Float?

        @Option(name: .customLong("channel-order"), help: "Caffe: channel order the network reads: bgr or rgb.")
        var channelOrder: String?

        func validate() throws {
            guard (1...2).contains(sources.count) else { throw ValidationError("give one model file, or a prototxt and a caffemodel") }
            if let channelOrder, ChannelOrder(rawValue: channelOrder) == nil {
                throw ValidationError("--channel-order must be bgr or rgb")
            }
        }

        func run() throws {
            let labelList = try labels.map(Self.labelList).map { ["background"] + $0 }
            let destination = URL(fileURLWithPath: output)
            let files = sources.map { URL(fileURLWithPath: $0) }
            let model: ImportedModel
            if let pair = try CaffeSourceFiles.pair(files: files, weights: weights.map { URL(fileURLWithPath: $0) }) {
                model = try importCaffeModel(
                    prototxt: pair.prototxt, weights: pair.weights, to: destination, labels: labelList, overrides: try overrides())
            } else {
                guard files.count == 1, weights == nil, mean == nil, scale == nil, channelOrder == nil else {
                    throw ValidationError("--weights, --mean, --scale and --channel-order apply to Caffe models only")
                }
                model = try importModel(from: files[0], to: destination, labels: labelList)
            }
            let count = model.parameters.reduce(0) { $0 + $1.values.count }
            Console.write(
                "imported \(model.manifest.architecture): \(model.parameters.count) tensors, \(count) parameters, \(model.manifest.labels.count - 1) classes → \(output)\n",
                to: STDERR_FILENO)
        }

        private func overrides() throws -> CaffePreprocessingOverrides {
            var result = CaffePreprocessingOverrides()
            if let mean {
                let values = mean.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
                guard values.count == 3, let parsed = values as? [Float] else {
                    throw ValidationError("--mean must be three comma-separated numbers, e.g. 104,117,123")
                }
                result.mean = parsed
            }
            result.scale = scale
            result.channelOrder = channelOrder.flatMap(ChannelOrder.init(rawValue:))
            return result
        }

        /// Labels from `value`: the lines of the file it names, or its comma-separated items.
        static func labelList(_ value: String) throws -> [String] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: value, isDirectory: &isDirectory), !isDirectory.boolValue {
                let attributes = try FileManager.default.attributesOfItem(atPath: value)
                guard let size = attributes[.size] as? Int, size <= 1 << 20 else {
                    throw ValidationError("--labels file '\(value)' is larger than 1 MiB")
                }
                let text = try String(contentsOfFile: value, encoding: .utf8)
                return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            return value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
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
            for line in ModelInfoDetails.lines(model.manifest) { Console.writeLine(line) }
            Console.writeLine(
                "memory:       \(NetworkFootprint.format(bytes: report.bytes)) (network \(report.network), \(report.anchorCount) anchors)")
            Console.writeLine("ok")
        }
    }
}
