import Foundation
import SwiftProtobuf
import TestSupport

@testable import ModelImport

/// A small Caffe SSD built in the test: a deploy prototxt in the authors' layer layout (conv, ReLU, ceil-rounded
/// MAX pooling, depthwise conv + BatchNorm + Scale, 1×1 conv, Normalize, a dilated strided conv, two head levels
/// with Permute/Flatten/Concat, Reshape/Softmax/Flatten, PriorBox/Concat and DetectionOutput), and seeded blobs
/// written as a caffemodel with the generated caffe.proto types.
struct CaffeTinyNet {
    static let classes = 3
    static let inputSide = 20

    /// Blob shapes per layer, in caffemodel order (Caffe's NCHW/OIHW).
    static let blobShapes: [(layer: String, shapes: [[Int]])] = [
        ("conv1", [[8, 3, 3, 3], [8]]),
        ("conv2", [[8, 1, 3, 3]]),
        ("bn2", [[8], [8], [1]]),
        ("scale2", [[8], [8]]),
        ("conv3", [[16, 8, 1, 1], [16]]),
        ("conv3_norm", [[16]]),
        ("conv4", [[16, 16, 3, 3], [16]]),
        ("conv3_norm_mbox_loc", [[16, 16, 3, 3], [16]]),
        ("conv3_norm_mbox_conf", [[12, 16, 3, 3], [12]]),
        ("conv4_mbox_loc", [[20, 16, 3, 3], [20]]),
        ("conv4_mbox_conf", [[15, 16, 3, 3], [15]]),
    ]

    /// Seeded blob values per layer (BatchNorm variances positive, its scale factor 2 so the division shows).
    var blobs: [String: [[Float]]] = [:]

    init(seed: UInt64 = 16) {
        var rng = SplitMix64(seed: seed)
        for (layer, shapes) in Self.blobShapes {
            blobs[layer] = shapes.enumerated().map { index, shape in
                let count = shape.reduce(1, *)
                let fanIn = Float(shape.dropFirst().reduce(1, *))
                return (0..<count).map { _ -> Float in
                    let u = Float(rng.next() >> 40) / Float(1 << 24)
                    switch (layer, index) {
                    case ("bn2", 1): return (0.5 + u) * 2  // stored variance sum (factor 2)
                    case ("bn2", 2): return 2
                    case ("bn2", 0): return (u - 0.5) * 2
                    case ("scale2", 0): return 0.5 + u
                    case ("conv3_norm", 0): return 10 + 10 * u
                    default: return (2 * u - 1) * (shape.count == 1 ? 0.5 : 1.7 / fanIn.squareRoot())
                    }
                }
            }
        }
    }

    /// The deploy prototxt, with fields ssdd's subset does not declare (param, fillers, save_output_param's
    /// label_map_file) as real deploy files have them.
    static let prototxt = """
        name: "tiny_ssd"
        layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 20 dim: 20 } } }
        layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
          param { lr_mult: 1 decay_mult: 1 } param { lr_mult: 2 decay_mult: 0 }
          convolution_param { num_output: 8 pad: 1 kernel_size: 3 weight_filler { type: "xavier" } } }
        layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
        layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
        layer { name: "conv2" type: "Convolution" bottom: "pool1" top: "conv2"
          convolution_param { num_output: 8 bias_term: false pad: 1 kernel_size: 3 group: 8 engine: CAFFE } }
        layer { name: "bn2" type: "BatchNorm" bottom: "conv2" top: "conv2" batch_norm_param { use_global_stats: true eps: 1e-5 } }
        layer { name: "scale2" type: "Scale" bottom: "conv2" top: "conv2" scale_param { bias_term: true filler { value: 1 } } }
        layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
        layer { name: "conv3" type: "Convolution" bottom: "conv2" top: "conv3" convolution_param { num_output: 16 kernel_size: 1 } }
        layer { name: "relu3" type: "ReLU" bottom: "conv3" top: "conv3" }
        layer { name: "conv3_norm" type: "Normalize" bottom: "conv3" top: "conv3_norm"
          norm_param { across_spatial: false scale_filler { type: "constant" value: 20 } channel_shared: false } }
        layer { name: "conv4" type: "Convolution" bottom: "conv3" top: "conv4"
          convolution_param { num_output: 16 pad: 2 kernel_size: 3 stride: 2 dilation: 2 } }
        layer { name: "relu4" type: "ReLU" bottom: "conv4" top: "conv4" }
        layer { name: "conv3_norm_mbox_loc" type: "Convolution" bottom: "conv3_norm" top: "conv3_norm_mbox_loc"
          convolution_param { num_output: 16 pad: 1 kernel_size: 3 } }
        layer { name: "conv3_norm_mbox_loc_perm" type: "Permute" bottom: "conv3_norm_mbox_loc" top: "conv3_norm_mbox_loc_perm"
          permute_param { order: 0 order: 2 order: 3 order: 1 } }
        layer { name: "conv3_norm_mbox_loc_flat" type: "Flatten" bottom: "conv3_norm_mbox_loc_perm" top: "conv3_norm_mbox_loc_flat"
          flatten_param { axis: 1 } }
        layer { name: "conv3_norm_mbox_conf" type: "Convolution" bottom: "conv3_norm" top: "conv3_norm_mbox_conf"
          convolution_param { num_output: 12 pad: 1 kernel_size: 3 } }
        layer { name: "conv3_norm_mbox_conf_perm" type: "Permute" bottom: "conv3_norm_mbox_conf" top: "conv3_norm_mbox_conf_perm"
          permute_param { order: 0 order: 2 order: 3 order: 1 } }
        layer { name: "conv3_norm_mbox_conf_flat" type: "Flatten" bottom: "conv3_norm_mbox_conf_perm" top: "conv3_norm_mbox_conf_flat"
          flatten_param { axis: 1 } }
        layer { name: "conv3_norm_mbox_priorbox" type: "PriorBox" bottom: "conv3_norm" bottom: "data" top: "conv3_norm_mbox_priorbox"
          prior_box_param { min_size: 4 max_size: 8 aspect_ratio: 2 flip: true clip: false
            variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 step: 2 offset: 0.5 } }
        layer { name: "conv4_mbox_loc" type: "Convolution" bottom: "conv4" top: "conv4_mbox_loc"
          convolution_param { num_output: 20 pad: 1 kernel_size: 3 } }
        layer { name: "conv4_mbox_loc_perm" type: "Permute" bottom: "conv4_mbox_loc" top: "conv4_mbox_loc_perm"
          permute_param { order: 0 order: 2 order: 3 order: 1 } }
        layer { name: "conv4_mbox_loc_flat" type: "Flatten" bottom: "conv4_mbox_loc_perm" top: "conv4_mbox_loc_flat"
          flatten_param { axis: 1 } }
        layer { name: "conv4_mbox_conf" type: "Convolution" bottom: "conv4" top: "conv4_mbox_conf"
          convolution_param { num_output: 15 pad: 1 kernel_size: 3 } }
        layer { name: "conv4_mbox_conf_perm" type: "Permute" bottom: "conv4_mbox_conf" top: "conv4_mbox_conf_perm"
          permute_param { order: 0 order: 2 order: 3 order: 1 } }
        layer { name: "conv4_mbox_conf_flat" type: "Flatten" bottom: "conv4_mbox_conf_perm" top: "conv4_mbox_conf_flat"
          flatten_param { axis: 1 } }
        layer { name: "conv4_mbox_priorbox" type: "PriorBox" bottom: "conv4" bottom: "data" top: "conv4_mbox_priorbox"
          prior_box_param { min_size: 8 aspect_ratio: 2 aspect_ratio: 3 flip: true clip: false
            variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 } }
        layer { name: "mbox_loc" type: "Concat" bottom: "conv3_norm_mbox_loc_flat" bottom: "conv4_mbox_loc_flat" top: "mbox_loc"
          concat_param { axis: 1 } }
        layer { name: "mbox_conf" type: "Concat" bottom: "conv3_norm_mbox_conf_flat" bottom: "conv4_mbox_conf_flat" top: "mbox_conf"
          concat_param { axis: 1 } }
        layer { name: "mbox_priorbox" type: "Concat" bottom: "conv3_norm_mbox_priorbox" bottom: "conv4_mbox_priorbox"
          top: "mbox_priorbox" concat_param { axis: 2 } }
        layer { name: "mbox_conf_reshape" type: "Reshape" bottom: "mbox_conf" top: "mbox_conf_reshape"
          reshape_param { shape { dim: 0 dim: -1 dim: 3 } } }
        layer { name: "mbox_conf_softmax" type: "Softmax" bottom: "mbox_conf_reshape" top: "mbox_conf_softmax"
          softmax_param { axis: 2 } }
        layer { name: "mbox_conf_flatten" type: "Flatten" bottom: "mbox_conf_softmax" top: "mbox_conf_flatten"
          flatten_param { axis: 1 } }
        layer { name: "detection_out" type: "DetectionOutput" bottom: "mbox_loc" bottom: "mbox_conf_flatten"
          bottom: "mbox_priorbox" top: "detection_out" include { phase: TEST }
          detection_output_param { num_classes: 3 share_location: true background_label_id: 0
            nms_param { nms_threshold: 0.45 top_k: 400 }
            save_output_param { label_map_file: "data/labelmap.prototxt" }
            code_type: CENTER_SIZE keep_top_k: 200 confidence_threshold: 0.01 } }
        """

    /// The caffemodel as a training snapshot would hold it: a TRAIN-phase data layer and a loss layer around the
    /// blobs, an extra layer with blobs the prototxt does not have, in the current (`layer`) or V1 (`layers`) format, with
    /// the values written in `encoding`.
    func caffemodel(
        v1: Bool = false, values encoding: ValueEncoding = .packed,
        editing edit: (inout [String: [Caffe_BlobProto]]) throws -> Void = { _ in }
    ) throws -> [UInt8] {
        var protos: [String: [Caffe_BlobProto]] = [:]
        for (layer, shapes) in Self.blobShapes {
            protos[layer] = try zip(shapes, blobs[layer]!).map { shape, values in
                try Self.blob(shape: shape, values: values, encoding: encoding)
            }
        }
        protos["fc8_unused"] = [try Self.blob(shape: [2], values: [1, 2], encoding: encoding)]
        try edit(&protos)
        var net = Caffe_NetParameter()
        net.name = "tiny_ssd_train"
        let names = ["data"] + Self.blobShapes.map(\.layer) + ["fc8_unused", "mbox_loss"]
        for name in names {
            if v1 {
                var layer = Caffe_V1LayerParameter()
                layer.name = name
                layer.type = name == "data" ? .data : .convolution
                layer.blobs = protos[name] ?? []
                net.layers.append(layer)
            } else {
                var layer = Caffe_LayerParameter()
                layer.name = name
                layer.type = name == "data" ? "AnnotatedData" : name == "mbox_loss" ? "MultiBoxLoss" : "Convolution"
                layer.phase = .train
                layer.blobs = protos[name] ?? []
                net.layer.append(layer)
            }
        }
        return try net.serializedBytes()
    }

    /// How blob values are written: as Caffe writes them (one packed float record per blob), split into two packed
    /// records (protobuf concatenates them), one fixed32 record per value (unpacked: legal protobuf Caffe never writes), or
    /// as packed doubles (`double_data`).
    enum ValueEncoding: CaseIterable {
        case packed, twoPackedRecords, unpacked, packedDoubles
    }

    /// A blob of `shape` holding `values` in `encoding`.
    static func blob(shape: [Int], values: [Float], encoding: ValueEncoding = .packed) throws -> Caffe_BlobProto {
        var blob = Caffe_BlobProto()
        blob.shape.dim = shape.map(Int64.init)
        switch encoding {
        case .packed:
            blob.data = [Data(littleEndianBytes(values))]
        case .twoPackedRecords:
            let half = values.count / 2
            blob.data = [Data(littleEndianBytes(Array(values[..<half]))), Data(littleEndianBytes(Array(values[half...])))]
        case .packedDoubles:
            blob.doubleData = [Data(values.flatMap { withUnsafeBytes(of: Double($0).bitPattern.littleEndian, Array.init) })]
        case .unpacked:
            // Field 5, wire type 5 (fixed32), then the value; decoded back, the records become the blob's unknown fields.
            var bytes = try blob.serializedBytes() as [UInt8]
            for value in values { bytes += [0x2D] + littleEndianBytes([value]) }
            blob = try Caffe_BlobProto(serializedBytes: bytes)
        }
        return blob
    }

    /// Writes `prototxt` and the caffemodel bytes to `directory`; returns their URLs.
    static func write(prototxt: String, caffemodel: [UInt8], in directory: TemporaryDirectory) throws -> (URL, URL) {
        let text = directory.file("deploy.prototxt")
        try Data(prototxt.utf8).write(to: text)
        return (text, try directory.write(caffemodel, to: "weights.caffemodel"))
    }
}
