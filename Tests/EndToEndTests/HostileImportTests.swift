import Foundation
import TestSupport
import Testing

/// `ssdd model import` on hostile files built here (hand-encoded protobuf, hand-written ZIP archives and pickles): each
/// ends with exit status 1 and a message naming the file and what is wrong, never a signal or a timeout status.
@Suite("ssdd model import, run as a binary on hostile files")
struct HostileImportTests {
    // MARK: Generators

    /// Protobuf wire format: a length-delimited field.
    static func field(_ number: UInt8, _ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [number << 3 | 2]
        var length = payload.count
        repeat {
            bytes.append(UInt8(length & 0x7F) | (length > 0x7F ? 0x80 : 0))
            length >>= 7
        } while length > 0
        return bytes + payload
    }

    /// A GraphDef of attribute-less nodes: (name, op, inputs).
    static func graph(_ nodes: [(String, String, [String])]) -> Data {
        Data(nodes.flatMap { name, op, inputs in node(name, op, inputs) })
    }

    /// One `GraphDef.node` field; `tensor` is the TensorProto of a Const's `value` attribute.
    static func node(_ name: String, _ op: String, _ inputs: [String], tensor: [UInt8]? = nil) -> [UInt8] {
        var body = field(1, Array(name.utf8)) + field(2, Array(op.utf8)) + inputs.flatMap { field(3, Array($0.utf8)) }
        if let tensor { body += field(5, field(1, Array("value".utf8)) + field(2, field(8, tensor))) }
        return field(1, body)
    }

    /// TensorProto of a float32 scalar.
    static func scalar(_ value: Float) -> [UInt8] { [0x08, 1] + field(5, le(value.bitPattern, 4)) }

    /// TensorProto of the int32 vector [300, 300] (packed varints 0xAC 0x02).
    static let inputSize: [UInt8] = [0x08, 3] + field(2, field(2, [0x08, 2])) + field(7, [0xAC, 0x02, 0xAC, 0x02])

    /// Just enough of an SSD graph for the importer to reach the network: the preprocessing steps, then a box head that
    /// reads the backbone input through 200,000 Identity nodes (converting it used to recurse once per Identity).
    static func identityChainGraph() -> Data {
        let chain = 200_000
        var bytes = node("image", "Placeholder", []) + node("Preprocessor/size", "Const", [], tensor: inputSize)
        bytes += node("Preprocessor/resize", "ResizeBilinear", ["image", "Preprocessor/size"])
        bytes += node("Preprocessor/scale", "Const", [], tensor: scalar(0.0078125))
        bytes += node("Preprocessor/offset", "Const", [], tensor: scalar(1))
        bytes += node("Preprocessor/mul", "Mul", ["Preprocessor/scale", "Preprocessor/resize"])
        bytes += node("Preprocessor/sub", "Sub", ["Preprocessor/mul", "Preprocessor/offset"])
        bytes += node("FeatureExtractor/MobilenetV2/MobilenetV2/input", "Identity", ["Preprocessor/sub"])
        bytes += node("c0", "Identity", ["FeatureExtractor/MobilenetV2/MobilenetV2/input"])
        for index in 1..<chain { bytes += node("c\(index)", "Identity", ["c\(index - 1)"]) }
        bytes += node("BoxPredictor_0/BoxEncodingPredictor/BiasAdd", "Relu", ["c\(chain - 1)"])
        bytes += node("BoxPredictor_0/ClassPredictor/BiasAdd", "Relu", ["Preprocessor/sub"])
        return Data(bytes)
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func le(_ value: UInt32, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) } }

    /// A ZIP archive of stored entries: (path, contents, declared size or nil, CRC or nil for the true one).
    static func zip(_ entries: [(String, [UInt8], UInt32?, UInt32?)]) -> Data {
        var body: [UInt8] = []
        var directory: [UInt8] = []
        for (path, contents, declared, crc) in entries {
            let name = Array(path.utf8)
            let sizes = le(declared ?? UInt32(contents.count), 4)
            let common =
                le(20, 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0x21, 2) + le(crc ?? crc32(contents), 4)
                + le(UInt32(contents.count), 4) + sizes + le(UInt32(name.count), 2) + le(0, 2)
            directory +=
                [0x50, 0x4B, 0x01, 0x02] + le(20, 2) + common + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4)
                + le(UInt32(body.count), 4) + name
            body += [0x50, 0x4B, 0x03, 0x04] + common + name + contents
        }
        let end =
            [0x50, 0x4B, 0x05, 0x06] + le(0, 2) + le(0, 2) + le(UInt32(entries.count), 2) + le(UInt32(entries.count), 2)
            + le(UInt32(directory.count), 4) + le(UInt32(body.count), 4) + le(0, 2)
        return Data(body + directory + end)
    }

    /// `{'w': tensor of `elements` floats}` as torch.save pickles it.
    static func stateDict(elements: Int32) -> [UInt8] {
        func string(_ text: String) -> [UInt8] { [0x8C, UInt8(text.utf8.count)] + Array(text.utf8) }
        func global(_ module: String, _ name: String) -> [UInt8] { [0x63] + Array("\(module)\n\(name)\n".utf8) }
        let count = [0x4A] + le(UInt32(bitPattern: elements), 4)
        let storage = [0x28] + string("storage") + global("torch", "FloatStorage") + string("0") + string("cpu") + count + [0x74, 0x51]
        let arguments =
            [0x28] + storage + [0x4B, 0x00] + count + [0x85] + [0x4B, 0x01, 0x85, 0x89]
            + global("collections", "OrderedDict") + [0x29, 0x52, 0x74]
        return [0x80, 0x02, 0x7D] + string("w") + global("torch._utils", "_rebuild_tensor_v2") + arguments + [0x52, 0x73, 0x2E]
    }

    static let cases: [(name: String, file: Data, message: String)] = [
        (
            "biasadd.pb", graph([("x", "Placeholder", []), ("b", "BiasAdd", ["x"])]),
            "node 'b' (op BiasAdd) is malformed: it has 1 data input, BiasAdd takes 2"
        ),
        (
            "sqrt.pb", graph([("MultipleGridAnchorGenerator/Sqrt", "Sqrt", [])]),
            "node 'MultipleGridAnchorGenerator/Sqrt' (op Sqrt) is malformed: it has 0 data inputs, Sqrt takes 1"
        ),
        (
            "control.pb", graph([("A", "Placeholder", []), ("R", "Relu", ["A"]), ("add", "Add", ["^A", "R"])]),
            "node 'add' (op Add) is malformed: data input 1 'R' follows a control input (control inputs '^name' come last)"
        ),
        (
            "badport.pb", graph([("i", "Placeholder", []), ("r", "Relu", ["i:x"])]),
            "node 'r' (op Relu) is malformed: input 0 'i:x' is not 'name', 'name:port' or '^name'"
        ),
        (
            "chain.pb", identityChainGraph(),
            "inconsistent SSD heads: level 0: box head [300, 300, 3] and class head [300, 300, 3] do not fit A·4 and A·K"
        ),
        (
            "nested.pth", zip([("c/data.pkl", [0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: 100_000) + [0x2E], nil, nil)]),
            "malformed pickle at offset 258 of data.pkl: containers nest more than 256 deep"
        ),
        (
            "crc.pth", zip([("c/data.pkl", stateDict(elements: 1), nil, 0x1234_5678), ("c/data/0", [0, 0, 0x80, 0x3F], nil, nil)]),
            "archive entry 'c/data.pkl' is corrupt: its CRC-32 is"
        ),
        (
            "bomb.pth",
            zip([("c/data.pkl", stateDict(elements: 1 << 28), nil, nil), ("c/data/0", [UInt8](repeating: 0, count: 4096), 1 << 30, nil)]),
            "archive entry 'c/data/0' needs 1073741824 bytes, more than the"
        ),
    ]

    @Test("hostile graphs and checkpoints: exit status 1 and the exact message", arguments: cases.indices)
    func hostile(_ index: Int) throws {
        let (name, file, message) = Self.cases[index]
        let directory = ScratchDirectory.make("hostile-import")
        let path = directory.appendingPathComponent(name).path
        #expect(FileManager.default.createFile(atPath: path, contents: file))
        let result = try BinaryRunner.run(["model", "import", path, "-o", path + ".safetensors"])
        #expect(result.status == 1, "\(name): status \(result.status), \(result.stderr)")
        #expect(result.stderr.contains("'\(path)': " + message), "\(name): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path + ".safetensors"))
    }

    @Test("a FIFO behind a .pb name is refused at once instead of blocking the import")
    func fifo() throws {
        let directory = ScratchDirectory.make("hostile-import")
        let path = directory.appendingPathComponent("pipe.pb").path
        #expect(mkfifo(path, 0o600) == 0)
        let result = try BinaryRunner.run(["model", "import", path, "-o", path + ".safetensors"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cannot read '\(path)': not a regular file (a directory, FIFO, socket or device)"), "\(result.stderr)")
    }
}
