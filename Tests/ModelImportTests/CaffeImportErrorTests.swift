import Foundation
import TestSupport
import Testing

@testable import ModelImport

/// Every way a Caffe pair can be unusable gets an error naming the file, the layer and the parameter at fault.
@Suite struct CaffeImportErrorTests {
    let net = CaffeTinyNet()

    /// The error text of importing the tiny net with `prototxt` and `caffemodel` (the tiny net's by default).
    private func importError(
        prototxt: String = CaffeTinyNet.prototxt, caffemodel: [UInt8]? = nil, limits: CaffeReadLimits = .standard
    ) throws -> String {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (text, weights) = try CaffeTinyNet.write(
            prototxt: prototxt, caffemodel: try caffemodel ?? net.caffemodel(), in: directory)
        var importer = CaffeImporter(labels: ["background", "a", "b"], overrides: .none)
        importer.limits = limits
        do {
            _ = try importer.importModel(prototxt: text, weights: weights)
        } catch let error as ModelImportError {
            return error.description
        }
        Issue.record("the import succeeded")
        return ""
    }

    private func edited(_ old: String, _ new: String) -> String {
        #expect(CaffeTinyNet.prototxt.contains(old), "the tiny prototxt has no '\(old)'")
        return CaffeTinyNet.prototxt.replacingOccurrences(of: old, with: new)
    }

    @Test func unknownLayerType() throws {
        let message = try importError(prototxt: edited(#"name: "relu3" type: "ReLU""#, #"name: "relu3" type: "LRN""#))
        #expect(message.contains("layer 'relu3' (type LRN): this layer type is not supported"), "\(message)")
    }

    @Test(arguments: [
        ("pool: MAX", "pool: AVE", "pool1", "pooling_param.pool"),
        (#"type: "ReLU" bottom: "conv3""#, #"type: "ReLU" bottom: "conv3" relu_param { negative_slope: 0.1 }"#, "relu3", "negative_slope"),
        ("code_type: CENTER_SIZE", "code_type: CORNER", "detection_out", "code_type"),
        ("background_label_id: 0", "background_label_id: 1", "detection_out", "background_label_id"),
        ("share_location: true", "share_location: false", "detection_out", "share_location"),
        ("nms_threshold: 0.45", "nms_threshold: 0.45 eta: 0.9", "detection_out", "eta"),
        ("across_spatial: false", "across_spatial: true", "conv3_norm", "across_spatial"),
        ("use_global_stats: true", "use_global_stats: false", "bn2", "use_global_stats"),
        ("scale_param { bias_term: true", "scale_param { axis: 2 bias_term: true", "scale2", "axis 2"),
        (
            "order: 0 order: 2 order: 3 order: 1 } }\nlayer { name: \"conv3_norm_mbox_loc_flat\"",
            "order: 0 order: 1 order: 2 order: 3 } }\nlayer { name: \"conv3_norm_mbox_loc_flat\"", "conv3_norm_mbox_loc_perm", "permute_param.order"
        ),
        ("dim: 0 dim: -1 dim: 3", "dim: 0 dim: -1 dim: 4", "detection_out", "channels"),
        ("softmax_param { axis: 2 }", "softmax_param { axis: 1 }", "mbox_conf_softmax", "softmax_param.axis"),
        ("kernel_size: 1 } }", "kernel_size: 1 axis: 2 } }", "conv3", "convolution_param.axis"),
    ])
    func unsupportedParameter(old: String, new: String, layer: String, parameter: String) throws {
        let message = try importError(prototxt: edited(old, new))
        #expect(message.contains("layer '\(layer)'") && message.contains(parameter), "\(message)")
    }

    @Test func batchNormNotAfterConvolution() throws {
        // Moving bn2 after the ReLU: it can no longer be folded.
        let moved = edited(
            #"layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }"#, ""
        )
        .replacingOccurrences(
            of: #"layer { name: "bn2""#, with: #"layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }"# + "\n" + #"layer { name: "bn2""#)
        let message = try importError(prototxt: moved)
        #expect(message.contains("layer 'bn2'") && message.contains("directly after a Convolution"), "\(message)")
    }

    @Test func missingBlob() throws {
        let caffemodel = try net.caffemodel { $0["conv4"] = nil }
        let message = try importError(caffemodel: caffemodel)
        #expect(message.contains("weights.caffemodel") && message.contains("layer 'conv4'") && message.contains("no blobs"), "\(message)")
    }

    @Test func missingBiasBlob() throws {
        let caffemodel = try net.caffemodel { $0["conv3"]!.removeLast() }
        let message = try importError(caffemodel: caffemodel)
        #expect(message.contains("layer 'conv3'") && message.contains("the bias is blob 1"), "\(message)")
    }

    @Test func wrongBlobShape() throws {
        let caffemodel = try net.caffemodel { blobs in
            blobs["conv1"]![0].shape.dim = [8, 3, 5, 5]
        }
        let message = try importError(caffemodel: caffemodel)
        #expect(message.contains("layer 'conv1'") && message.contains("shape [8, 3, 5, 5], expected [8, 3, 3, 3]"), "\(message)")
    }

    @Test func blobValuesDisagreeWithShape() throws {
        let caffemodel = try net.caffemodel { blobs in blobs["bn2"]![0].data[0].removeLast(4) }
        let message = try importError(caffemodel: caffemodel)
        #expect(message.contains("layer 'bn2'") && message.contains("holds 7 values"), "\(message)")
    }

    @Test func packedValuesNotAWholeNumberOfFloats() throws {
        let caffemodel = try net.caffemodel { blobs in blobs["bn2"]![0].data[0].removeLast(2) }
        let message = try importError(caffemodel: caffemodel)
        #expect(message.contains("layer 'bn2'") && message.contains("holds 30 bytes of packed values"), "\(message)")
    }

    @Test func unpackedValuesDisagreeWithShape() throws {
        let caffemodel = try net.caffemodel { blobs in
            blobs["conv3"]![1] = try CaffeTinyNet.blob(shape: [16], values: Array(net.blobs["conv3"]![1].dropLast()), encoding: .unpacked)
        }
        let message = try importError(caffemodel: caffemodel)
        #expect(message.contains("layer 'conv3'") && message.contains("blob 1 (bias), shape [16], holds 15 values, the shape needs 16"), "\(message)")
    }

    @Test func doubleValuesDisagreeWithShape() throws {
        let caffemodel = try net.caffemodel(values: .packedDoubles) { blobs in blobs["conv3"]![1].doubleData[0].removeLast(8) }
        let message = try importError(caffemodel: caffemodel)
        #expect(message.contains("layer 'conv3'") && message.contains("holds 15 double values"), "\(message)")
    }

    @Test func packedAndUnpackedValuesInOneBlob() throws {
        let caffemodel = try net.caffemodel { blobs in
            let values = net.blobs["conv3"]![1]
            var blob = try CaffeTinyNet.blob(shape: [16], values: Array(values.prefix(8)), encoding: .unpacked)
            blob.data = [Data(littleEndianBytes(Array(values.suffix(8))))]
            blobs["conv3"]![1] = blob
        }
        let message = try importError(caffemodel: caffemodel)
        #expect(message.contains("layer 'conv3'") && message.contains("both packed and unpacked"), "\(message)")
    }

    @Test func truncatedCaffemodel() throws {
        let bytes = try net.caffemodel()
        let message = try importError(caffemodel: Array(bytes.prefix(bytes.count - 100)))
        #expect(message.contains("truncated"), "\(message)")
    }

    @Test func hostileBlobShape() throws {
        let caffemodel = try net.caffemodel { blobs in blobs["conv1"]![0].shape.dim = [1 << 20, 1 << 20, 3, 3] }
        let message = try importError(caffemodel: caffemodel)
        #expect(message.contains("layer 'conv1'") && message.contains("elements accepted"), "\(message)")
        let negative = try net.caffemodel { blobs in blobs["conv1"]![0].shape.dim = [-8, 3, 3, 3] }
        let negativeMessage = try importError(caffemodel: negative)
        #expect(negativeMessage.contains("dimension -8"), "\(negativeMessage)")
    }

    @Test func hostileSizes() throws {
        var limits = CaffeReadLimits.standard
        limits.maximumLayers = 10
        #expect(try importError(limits: limits).contains("layers, more than the 10 accepted"))
        limits = .standard
        limits.maximumCaffemodelBytes = 1000
        #expect(try importError(limits: limits).contains("more than the 1000 accepted"))
        let huge = edited("dim: 1 dim: 3 dim: 20 dim: 20", "dim: 1 dim: 3 dim: 2000000000 dim: 20")
        #expect(try importError(prototxt: huge).contains("H, W in 1...4096"))
        let hugeKernel = edited("num_output: 16 kernel_size: 1", "num_output: 16 kernel_size: 100000")
        #expect(try importError(prototxt: hugeKernel).contains("kernel_size 100000 is larger than 4096"))
    }

    @Test func notAPrototxt() throws {
        let message = try importError(prototxt: "layer { name: \"x\" type: ")
        #expect(message.contains("does not parse as a Caffe NetParameter"), "\(message)")
        let noDetection = try importError(prototxt: CaffeTinyNet.prototxt.components(separatedBy: #"layer { name: "detection_out""#)[0])
        #expect(noDetection.contains("no DetectionOutput layer"), "\(noDetection)")
    }

    @Test func danglingBottom() throws {
        let message = try importError(prototxt: edited(#"bottom: "pool1" top: "conv2""#, #"bottom: "pool9" top: "conv2""#))
        #expect(message.contains("layer 'conv2'") && message.contains("bottom 'pool9' is not produced"), "\(message)")
    }
}
