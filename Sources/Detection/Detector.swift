import Foundation
import Geometry
import Imaging
import ModelStore
import NeuralNet
import TensorEngine

/// An SSD detector: preprocessing, network, box decoding and post-processing as the model's manifest defines them.
///
/// - Important: a detector runs one image at a time and blocks while it computes; call it from a dedicated thread,
///   never from Swift's cooperative pool.
public final class Detector {
    public let manifest: ModelManifest
    public let options: DetectorOptions
    public let network: Network
    public let anchors: AnchorSet
    private let decoder: BoxDecoder
    private let postProcessor: PostProcessor
    private let preprocessor: ImagePreprocessor
    private let classFilter: Set<Int>?
    private let boxesPerLocation: [Int]
    /// The model file, for messages.
    private let file: String
    /// The network inputs of the last ``detect(_:)`` (slot 0) or ``detect(batch:)`` call, written again by the next
    /// one when nothing else holds them (``reusableInput(_:slot:)``).
    private var inputStorages: [TensorStorage?] = []

    /// Validates the model (``ModelValidation``: every manifest and graph value, their consistency, the memory the
    /// detector needs) and only then compiles its network. This is the one way a native model becomes runnable, so
    /// `ssdd model info`, `ssdd detect` and the daemon accept and reject exactly the same files.
    ///
    /// - Throws: ``ModelStore/ModelValidationError`` naming the file and the manifest or graph key at fault (or the
    ///   label of `options.labels` the model does not have).
    public convenience init(model: ModelFile, options: DetectorOptions = DetectorOptions()) throws(ModelValidationError) {
        let file = model.url.path
        _ = try ModelValidation.validate(model, options: options)
        let network: Network
        do {
            var networkOptions = options.networkOptions
            if options.precision == .int8 { networkOptions.activationRanges = model.manifest.calibration?.ranges ?? [:] }
            network = try Network(graph: model.graph, parameters: model, options: networkOptions)
        } catch {
            throw ModelValidation.error(error, file: file)
        }
        do {
            try self.init(manifest: model.manifest, options: options, network: network, file: file)
        } catch {
            throw ModelValidation.error(error, file: file)
        }
    }

    /// A detector for the same model and options that shares this one's compiled weights (``NeuralNet/Network/replica()``)
    /// and can run at the same time on another thread.
    public func replica() throws -> Detector {
        try Detector(manifest: manifest, options: options, network: network.replica(), file: file)
    }

    private init(manifest: ModelManifest, options: DetectorOptions, network: Network, file: String) throws {
        let p = manifest.preprocessing
        guard manifest.labels.count >= 2 else { throw DetectionError.invalidModel("the model names \(manifest.labels.count) classes") }
        self.manifest = manifest
        self.options = options
        self.file = file
        self.network = network
        anchors = try AnchorSet(manifest.anchors, inputWidth: p.inputWidth, inputHeight: p.inputHeight)
        decoder = try BoxDecoder(manifest.boxCoding)
        postProcessor = PostProcessor(settings: manifest.postprocessing, classes: manifest.labels.count, anchors: anchors)
        preprocessor = ImagePreprocessor(p)
        boxesPerLocation = AnchorSet.boxesPerLocation(manifest.anchors)
        classFilter = try ModelValidation.classFilter(manifest, options: options, file: file)
        try checkHeads()
    }

    /// The network input for `image`: resized with the model's convention and mapped by its affine, written straight
    /// into the tensor's storage (``Imaging/ImagePreprocessor``).
    public func preprocess(_ image: some RGBRowSource) -> Tensor {
        preprocessor.tensor(for: image)
    }

    /// Raw head outputs flattened in (level, y, x, anchor) order: regressions `n × 4` and logits `n × classes`.
    public func rawOutputs(_ input: Tensor) throws -> (regressions: [Float], logits: [Float]) {
        rawOutputs(networkOutputs: try network.forward(input))
    }

    /// ``rawOutputs(_:)`` of one image's network outputs (in graph output order).
    func rawOutputs(networkOutputs outputs: [Tensor]) -> (regressions: [Float], logits: [Float]) {
        var regressions: [Float] = []
        var logits: [Float] = []
        regressions.reserveCapacity(anchors.count * 4)
        logits.reserveCapacity(anchors.count * manifest.labels.count)
        for level in 0..<manifest.heads.count {
            regressions += outputs[2 * level].values
            logits += outputs[2 * level + 1].values
        }
        return (regressions, logits)
    }

    /// Detections in the network's frame (before mapping to the source image).
    public func candidates(for input: Tensor) throws -> [Candidate] {
        try candidates(fromRaw: rawOutputs(input))
    }

    /// ``candidates(for:)`` of raw head outputs (``rawOutputs(_:)``), for callers that keep the raw outputs too.
    public func candidates(fromRaw raw: (regressions: [Float], logits: [Float])) throws -> [Candidate] {
        let boxes = try decoder.decode(raw.regressions, anchors: anchors)
        let scores = ScoreConverter.scores(raw.logits, classes: manifest.labels.count, scoring: manifest.scoring)
        return postProcessor.run(boxes: boxes, scores: scores, minimumScore: options.minimumScore, classFilter: classFilter)
    }

    /// Detects objects in `image`; boxes are in its pixels. A source that converts its rows on demand (a decoded
    /// frame) converts only those the resize reads.
    public func detect(_ image: some RGBRowSource) throws -> [Detection] {
        try detections(from: candidates(for: reusableInput(image, slot: 0)), sourceWidth: image.width, sourceHeight: image.height)
    }

    /// The network input for `image`, written into the storage input `slot` of the previous call used when nothing
    /// else holds it any more (a detector runs one image at a time, so the last frame's input is dead when the next
    /// frame comes). Without it every frame allocated (and zeroed) a fresh 1 MB input and freed it after the pass;
    /// in the daemon those blocks, mixed with a reload's allocations on another thread, kept glibc's heap growing by
    /// about 170 KB per SIGHUP.
    func reusableInput(_ image: some RGBRowSource, slot: Int) -> Tensor {
        if inputStorages.count <= slot { inputStorages += Array(repeating: nil, count: slot + 1 - inputStorages.count) }
        if !isKnownUniquelyReferenced(&inputStorages[slot]) {
            inputStorages[slot] = TensorStorage(count: preprocessor.valueCount)
        }
        return preprocessor.tensor(for: image, into: inputStorages[slot]!)
    }

    /// Maps candidates to a source frame of the given size (the network input is a warp of the whole frame).
    public func detections(from candidates: [Candidate], sourceWidth: Int, sourceHeight: Int) -> [Detection] {
        let sx = Float(sourceWidth) / anchors.frameWidth
        let sy = Float(sourceHeight) / anchors.frameHeight
        return candidates.map { c in
            let (x1, y1, x2, y2) = anchors.order == .yx ? (c.box.1, c.box.0, c.box.3, c.box.2) : c.box
            // Scaled in Float as the model's frame is, then widened exactly to the shared Double box.
            let box = Box(x1: Double(x1 * sx), y1: Double(y1 * sy), x2: Double(x2 * sx), y2: Double(y2 * sy))
            return Detection(classIndex: c.classIndex, label: manifest.labels[c.classIndex], score: c.score, box: box)
        }
    }

    /// Checks that the graph has a box and a class output per level whose channels fit the default boxes.
    private func checkHeads() throws {
        let heads = manifest.heads
        guard heads.count == boxesPerLocation.count, network.graph.outputs.count == 2 * heads.count else {
            throw DetectionError.invalidModel(
                "\(heads.count) head levels and \(network.graph.outputs.count) graph outputs for \(boxesPerLocation.count) anchor levels")
        }
        var total = 0
        for (level, head) in heads.enumerated() {
            guard network.graph.outputs[2 * level] == head.boxes, network.graph.outputs[2 * level + 1] == head.classes else {
                throw DetectionError.invalidModel("graph outputs are not in head order at level \(level)")
            }
            let boxShape = network.outputShapes[2 * level]
            let classShape = network.outputShapes[2 * level + 1]
            let a = boxesPerLocation[level]
            guard boxShape.last == a * 4, classShape.last == a * manifest.labels.count, boxShape.dropLast() == classShape.dropLast() else {
                throw DetectionError.outputMismatch(
                    "level \(level): box head \(boxShape), class head \(classShape), \(a) anchors per location, \(manifest.labels.count) classes")
            }
            total += boxShape.dropLast().reduce(1, *) * a
        }
        guard total == anchors.count else {
            throw DetectionError.outputMismatch("the heads predict \(total) boxes, the default boxes number \(anchors.count)")
        }
    }
}
