import Foundation
import ModelStore
import NeuralNet
import Testing

@testable import ModelImport

/// SSD-VGG16 graph builders against ssd.md §1/§5 and the torchvision importer's key and shape checks.
@Suite("torchvision SSD-VGG16 graphs and importer")
struct TorchvisionImporterTests {
    @Test("SSD300 has torchvision's 71 tensors, in state_dict order, with §5's shapes and counts")
    func ssd300Parameters() {
        let shapes = SSDVGG.parameterShapes(.ssd300, numClasses: 91)
        #expect(shapes.count == 71)
        #expect(shapes.first?.name == "backbone.scale_weight")
        #expect(shapes.first?.shape == [512])
        let table = Dictionary(uniqueKeysWithValues: shapes.map { ($0.name, $0.shape) })
        #expect(table["backbone.features.0.weight"] == [64, 3, 3, 3])
        #expect(table["backbone.features.21.weight"] == [512, 512, 3, 3])
        #expect(table["backbone.extra.0.7.1.weight"] == [1024, 512, 3, 3])
        #expect(table["backbone.extra.0.7.3.weight"] == [1024, 1024, 1, 1])
        #expect(table["backbone.extra.1.0.weight"] == [256, 1024, 1, 1])
        #expect(table["backbone.extra.4.2.weight"] == [256, 128, 3, 3])
        #expect(table["head.classification_head.module_list.1.weight"] == [546, 1024, 3, 3])
        #expect(table["head.regression_head.module_list.5.bias"] == [16])
        #expect(shapes[1].name == "backbone.features.0.weight")
        #expect(shapes[shapes.count - 12].name == "head.regression_head.module_list.0.weight")
        func total(_ classes: Int) -> Int {
            SSDVGG.parameterShapes(.ssd300, numClasses: classes).reduce(0) { $0 + $1.shape.reduce(1, *) }
        }
        #expect(total(91) == 35_641_826)
        #expect(total(21) == 26_285_486)
        #expect(total(2) == 23_745_908)
        let backbone = shapes.filter { $0.name.hasPrefix("backbone.") }.reduce(0) { $0 + $1.shape.reduce(1, *) }
        #expect(backbone == 22_943_936)
    }

    @Test("SSD300 graph: 12 head outputs, 38/19/10/5/3/1 maps, pool3 ceil, pool5 3×3 s1 p1, fc6 dilation 6, L2Norm eps 1e-12")
    func ssd300Graph() throws {
        let graph = SSDVGG.ssd300Graph(numClasses: 91)
        #expect(graph.inputShape == [300, 300, 3])
        #expect(graph.outputs.count == 12)
        #expect(graph.outputs[0] == "head.regression_head.module_list.0")
        #expect(graph.outputs[1] == "head.classification_head.module_list.0")
        #expect(SSDVGG.featureMapSizes(.ssd300) == [38, 19, 10, 5, 3, 1])
        let nodes = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.name, $0) })
        guard case .maxPool(let pool3)? = nodes["backbone.features.16"]?.operation,
            case .maxPool(let pool5)? = nodes["backbone.extra.0.7.0"]?.operation,
            case .convolution(let fc6)? = nodes["backbone.extra.0.7.1"]?.operation,
            case .convolution(let conv102)? = nodes["backbone.extra.3.2"]?.operation,
            case .l2Normalize(let scale, let epsilon)? = nodes["backbone.l2_norm"]?.operation
        else {
            Issue.record("missing nodes")
            return
        }
        #expect(pool3.ceilMode && pool3.kernelHeight == 2 && pool3.strideY == 2)
        #expect(pool5 == Pooling(kernelHeight: 3, kernelWidth: 3, strideY: 1, strideX: 1, padding: .uniform(1), ceilMode: false))
        #expect(fc6.dilationY == 6 && fc6.padding == .uniform(6) && fc6.activation == .relu)
        #expect(conv102.padding == .uniform(0) && conv102.strideY == 1)
        #expect(scale == "backbone.scale_weight" && epsilon == 1e-12)
        // pool4 reads the raw conv4_3, the head reads the normalised one.
        #expect(nodes["backbone.extra.0.0"]?.inputs == ["backbone.features.21"])
        #expect(nodes["head.classification_head.module_list.0"]?.inputs == ["backbone.l2_norm"])
    }

    @Test("SSD512 (Caffe layout): 7 levels 64…1, 24,564 default boxes, manifest agrees")
    func ssd512() {
        #expect(SSDVGG.featureMapSizes(.ssd512) == [64, 32, 16, 8, 4, 2, 1])
        let sizes = SSDVGG.featureMapSizes(.ssd512)
        #expect(zip(sizes, SSDVGG.Variant.ssd512.anchorsPerLocation).reduce(0) { $0 + $1.0 * $1.0 * $1.1 } == 24_564)
        #expect(SSDVGG.ssd512Graph(numClasses: 21).outputs.count == 14)
        let manifest = SSDVGG.manifest(.ssd512, labels: Array(repeating: "x", count: 21), source: "test")
        guard case .ssdDefaultBoxes(let boxes) = manifest.anchors else { Issue.record("anchors"); return }
        #expect(boxes.featureMapSizes == sizes)
        #expect(manifest.heads.count == 7)
        #expect(SSDVGG.parameterShapes(.ssd512, numClasses: 21).count == 79)
    }

    @Test("SSD300 manifest matches torchvision's pipeline")
    func ssd300Manifest() {
        let manifest = SSDVGG.manifest(.ssd300, labels: SSDVGG.torchvisionCOCOLabels, source: "test")
        #expect(manifest.architecture == "ssd300_vgg16")
        #expect(
            manifest.anchors
                == .ssdDefaultBoxes(
                    DefaultBoxes(
                        flavor: "torchvision", featureMapSizes: [38, 19, 10, 5, 3, 1], aspectRatios: [[2], [2, 3], [2, 3], [2, 3], [2], [2]],
                        scales: [0.07, 0.15, 0.33, 0.51, 0.69, 0.87, 1.05], steps: [8, 16, 32, 64, 100, 300], clip: true)))
        #expect(manifest.boxCoding == BoxCoding(order: .xy, weights: [10, 10, 5, 5], sizeClamp: Float(log(1000.0 / 16))))
        #expect(
            manifest.postprocessing
                == Postprocessing(
                    scoreThreshold: 0.01, iouThreshold: 0.45, candidatesPerClass: 400, maxPerClass: nil, maxDetections: 200,
                    clipping: .clipThenSuppress))
        #expect(manifest.preprocessing.offset == [Float(-0.48235 * 255), Float(-0.45882 * 255), Float(-0.40784 * 255)])
        #expect(manifest.preprocessing.normalizeBeforeResize && manifest.preprocessing.resize == .halfPixelBilinear)
        #expect(manifest.labels.count == 91 && manifest.labels[1] == "person" && manifest.labels[12] == "N/A")
    }

    /// A checkpoint with every SSD300 tensor (zeros) for `classes` slots.
    static func zeroCheckpoint(classes: Int) -> TorchCheckpoint {
        let shapes = SSDVGG.parameterShapes(.ssd300, numClasses: classes)
        var tensors: [String: TorchTensor] = [:]
        for (name, shape) in shapes {
            tensors[name] = TorchTensor(shape: shape, strides: [], storageOffset: 0, values: [Float](repeating: 0, count: shape.reduce(1, *)))
        }
        return TorchCheckpoint(keys: shapes.map(\.name), tensors: tensors)
    }

    @Test("a complete checkpoint converts; a missing, misshapen or extra tensor gets an exact error")
    func importerChecks() throws {
        let importer = TorchvisionImporter()
        let good = Self.zeroCheckpoint(classes: 2)
        let model = try importer.convert(good, file: "m.pth", source: "test")
        #expect(model.parameterCount == 23_745_908)
        #expect(model.manifest.labels == ["background", "person"])
        #expect(model.statistics.anchorCount == 8732)
        #expect(model.parameters.map(\.name) == good.keys)

        var tensors = good.tensors
        tensors["backbone.extra.0.7.1.weight"] = nil
        #expect(throws: TorchCheckpointError.missingParameter(file: "m.pth", key: "backbone.extra.0.7.1.weight", expected: [1024, 512, 3, 3])) {
            try importer.convert(TorchCheckpoint(keys: good.keys, tensors: tensors), file: "m.pth", source: "test")
        }
        tensors = good.tensors
        tensors["backbone.extra.3.2.weight"] = TorchTensor(shape: [256, 128, 1, 1], strides: [], storageOffset: 0, values: [])
        let shapeError = TorchCheckpointError.parameterShape(
            file: "m.pth", key: "backbone.extra.3.2.weight", expected: [256, 128, 3, 3], actual: [256, 128, 1, 1])
        #expect(throws: shapeError) {
            try importer.convert(TorchCheckpoint(keys: good.keys, tensors: tensors), file: "m.pth", source: "test")
        }
        #expect(shapeError.description == "'m.pth': tensor 'backbone.extra.3.2.weight' has shape [256, 128, 1, 1], expected [256, 128, 3, 3]")
        tensors = good.tensors
        tensors["backbone.features.1.running_mean"] = TorchTensor(shape: [64], strides: [1], storageOffset: 0, values: [])
        let extra = TorchCheckpointError.unexpectedParameters(
            file: "m.pth", keys: ["backbone.features.1.running_mean"], architecture: "ssd300_vgg16")
        #expect(throws: extra) {
            try importer.convert(
                TorchCheckpoint(keys: good.keys + ["backbone.features.1.running_mean"], tensors: tensors), file: "m.pth", source: "test")
        }
        #expect(
            extra.description == "'m.pth': the checkpoint holds tensors that ssd300_vgg16 does not use: "
                + "'backbone.features.1.running_mean'; is it a different architecture?")
    }

    @Test("a torch checkpoint that is not an SSD names the first missing tensor")
    func notAnSSD() throws {
        let url = try #require(Bundle.module.url(forResource: "torch_small", withExtension: "pth", subdirectory: "Fixtures"))
        let error = TorchCheckpointError.missingParameter(
            file: url.path, key: "head.classification_head.module_list.0.weight", expected: [364, 512, 3, 3])
        #expect(throws: error) { try importTorchvisionCheckpoint(at: url) }
        #expect(
            error.description
                == "'\(url.path)': tensor 'head.classification_head.module_list.0.weight' [364, 512, 3, 3] is missing from the checkpoint")
    }
}
