import Foundation

/// A minimal protobuf writer for Caffe's binary `NetParameter`: the net name (field 1) and one `layer` (field 100) per
/// layer with its `name` (1), `type` (2) and `blobs` (7: `BlobProto` with `shape` (7: `BlobShape.dim` (1), packed) and
/// `data` (5, packed float)). The bytes equal those tools/caffe_ssd_fixtures.py writes; it does not use the
/// importer's generated code, so it checks the importer rather than mirroring it.
public enum CaffeModelWriter {
    /// One layer's blobs, in blob order.
    public struct Layer: Sendable {
        public var name: String
        public var type: String
        public var blobs: [(shape: [Int], values: [Float])]

        public init(name: String, type: String, blobs: [(shape: [Int], values: [Float])]) {
            self.name = name
            self.type = type
            self.blobs = blobs
        }
    }

    /// The serialized `NetParameter`.
    public static func data(netName: String, layers: [Layer]) -> Data {
        var out = Data()
        out += field(1, Data(netName.utf8))
        for layer in layers {
            var body = field(1, Data(layer.name.utf8)) + field(2, Data(layer.type.utf8))
            for blob in layer.blobs {
                var dims = Data()
                for dim in blob.shape { dims += varint(UInt64(dim)) }
                // Little-endian floats: the host's order on every platform ssdd builds for (x86-64, arm64).
                let values = blob.values.withUnsafeBufferPointer { Data(buffer: $0) }
                body += field(7, field(7, field(1, dims)) + field(5, values))
            }
            out += field(100, body)
        }
        return out
    }

    /// The layers the recipes describe (consecutive recipes of one layer are its blobs).
    public static func layers(recipes: [CaffeWeightRecipe]) -> [Layer] {
        var layers: [Layer] = []
        for recipe in recipes {
            if layers.last?.name != recipe.layer {
                layers.append(Layer(name: recipe.layer, type: recipe.type, blobs: []))
            }
            layers[layers.count - 1].blobs.append((recipe.shape, recipe.values()))
        }
        return layers
    }

    static func varint(_ value: UInt64) -> Data {
        var value = value
        var out = Data()
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            out.append(byte)
        } while value != 0
        return out
    }

    static func field(_ number: Int, _ payload: Data) -> Data {
        varint(UInt64(number << 3 | 2)) + varint(UInt64(payload.count)) + payload
    }
}
