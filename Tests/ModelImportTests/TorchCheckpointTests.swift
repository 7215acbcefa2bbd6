import Foundation
import TestSupport
import Testing
import ZIPFoundation

@testable import ModelImport

/// The `.pth` reader on checkpoints torch itself wrote (tools/torchvision_ssd_golden.py) and on damaged copies of them.
@Suite("PyTorch checkpoint reader")
struct TorchCheckpointTests {
    struct Expected: Decodable {
        let shape: [Int]
        let values: [Float]
    }

    static func fixture(_ name: String, _ ext: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"))
    }

    static func expected() throws -> (order: [String], tensors: [String: Expected]) {
        let data = try Data(contentsOf: fixture("torch_small", "json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let keys = try #require(object["_order"] as? [String])
        var tensors: [String: Expected] = [:]
        for key in keys {
            let entry = try JSONSerialization.data(withJSONObject: try #require(object[key]))
            tensors[key] = try JSONDecoder().decode(Expected.self, from: entry)
        }
        return (keys, tensors)
    }

    @Test("values, shapes and order equal what torch saved (strided, offset, shared, 0-d, empty)")
    func smallCheckpoint() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: Self.fixture("torch_small", "pth"))
        let (order, expected) = try Self.expected()
        #expect(checkpoint.keys == order)
        for key in order {
            let tensor = try #require(checkpoint.tensors[key])
            let want = try #require(expected[key])
            #expect(tensor.shape == want.shape, "\(key)")
            #expect(tensor.values == want.values, "\(key)")
        }
        #expect(checkpoint.tensors["fc.weight_t"]?.strides == [1, 6])
        #expect(checkpoint.tensors["shared.b"]?.storageOffset == 10)
        #expect(checkpoint.tensors["grid.columns"]?.strides == [6, 1])
        #expect(checkpoint.tensors["grid.columns"]?.storageOffset == 1)
        #expect(checkpoint.tensors["scalar"]?.shape == [])
        #expect(checkpoint.tensors["scalar"]?.values == [3.5])
    }

    @Test("a state_dict nested under 'state_dict' in a training checkpoint is found")
    func nestedCheckpoint() throws {
        let checkpoint = try TorchCheckpoint(contentsOf: Self.fixture("torch_nested", "pth"))
        let small = try TorchCheckpoint(contentsOf: Self.fixture("torch_small", "pth"))
        #expect(checkpoint.keys == ["layer.weight"])
        #expect(checkpoint.tensors["layer.weight"]?.shape == [2, 3, 3, 3])
        #expect(checkpoint.tensors["layer.weight"]?.values == Array(small.tensors["conv.weight"]!.values.prefix(54)))
    }

    @Test("a float16 tensor is rejected, naming the tensor and its storage type")
    func halfPrecision() throws {
        let url = try Self.fixture("torch_half", "pth")
        #expect(throws: TorchCheckpointError.unsupportedStorage(file: url.path, tensor: "w", storageType: "torch.HalfStorage")) {
            try TorchCheckpoint(contentsOf: url)
        }
        #expect(
            TorchCheckpointError.unsupportedStorage(file: "f.pth", tensor: "w", storageType: "torch.HalfStorage").description
                == "'f.pth': tensor 'w' is stored as torch.HalfStorage; only float32 (torch.FloatStorage) is supported; "
                + "convert with model.float() before saving the state_dict")
    }

    @Test("garbage, empty and truncated files are 'not a ZIP archive', never a crash")
    func garbageAndTruncated() throws {
        let bytes = try Data(contentsOf: Self.fixture("torch_small", "pth"))
        let directory = try TemporaryDirectory(prefix: "ssdd-import-tests")
        defer { directory.remove() }
        let path = directory.file("bad.pth")
        let error = TorchCheckpointError.notAZipArchive(file: path.path)
        #expect(
            TorchCheckpointError.notAZipArchive(file: "bad.pth").description
                == "'bad.pth' is not a ZIP archive; expected a PyTorch checkpoint written by torch.save "
                + "(PyTorch 1.6 or later; re-save legacy files with torch.save(torch.load(path), path))")
        #expect(throws: error) { try Self.read(Data(), at: path) }
        #expect(throws: error) { try Self.read(Data("hello, not a checkpoint".utf8), at: path) }
        var generator = PickleMachineTests.SplitMix(seed: 7)
        #expect(throws: error) { try Self.read(Data((0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) }), at: path) }
        for length in stride(from: 0, to: bytes.count, by: 97) {
            #expect(throws: TorchCheckpointError.self) { try Self.read(bytes.prefix(length), at: path) }
        }
        #expect(throws: TorchCheckpointError.cannotRead(file: directory.file("none.pth").path, reason: "no such readable file")) {
            try TorchCheckpoint(contentsOf: directory.file("none.pth"))
        }
    }

    @Test("flipped bytes anywhere in a real checkpoint give an error or the data, never a crash")
    func bitFlips() throws {
        let bytes = try Data(contentsOf: Self.fixture("torch_small", "pth"))
        let directory = try TemporaryDirectory(prefix: "ssdd-import-tests")
        defer { directory.remove() }
        var damaged = 0
        for index in stride(from: 0, to: bytes.count, by: 5) {
            var copy = bytes
            copy[index] ^= 0x5A
            do { _ = try Self.read(copy, at: directory.file("flip.pth")) } catch is TorchCheckpointError { damaged += 1 }
        }
        #expect(damaged > 0)
    }

    @Test("an archive without data.pkl names the missing entry")
    func missingPickle() throws {
        let url = ScratchDirectory.make("torch").appendingPathComponent("nopkl.pth")
        defer { try? FileManager.default.removeItem(at: url) }
        let data = try Self.rewrite(Self.fixture("torch_small", "pth")) { path, bytes in path.hasSuffix("data.pkl") ? nil : bytes }
        #expect(throws: TorchCheckpointError.missingEntry(file: url.path, entry: "<name>/data.pkl")) {
            try Self.read(data, at: url)
        }
    }

    @Test("a storage shorter than its tensors needs is reported with the tensor, storage and sizes")
    func truncatedStorage() throws {
        let url = ScratchDirectory.make("torch").appendingPathComponent("short.pth")
        defer { try? FileManager.default.removeItem(at: url) }
        let data = try Self.rewrite(Self.fixture("torch_small", "pth")) { path, bytes in
            path.hasSuffix("/data/0") ? bytes.prefix(40) : bytes
        }
        #expect(
            throws: TorchCheckpointError.storageOutOfRange(
                file: url.path, tensor: "conv.weight", storage: "0", neededElements: 108, availableElements: 10)
        ) {
            try Self.read(data, at: url)
        }
        let missing = try Self.rewrite(Self.fixture("torch_small", "pth")) { path, bytes in path.hasSuffix("/data/0") ? nil : bytes }
        #expect(throws: TorchCheckpointError.missingEntry(file: url.path, entry: "torch_small/data/0")) {
            try Self.read(missing, at: url)
        }
    }

    @Test("a big-endian checkpoint is rejected")
    func bigEndian() throws {
        let url = ScratchDirectory.make("torch").appendingPathComponent("bigendian.pth")
        defer { try? FileManager.default.removeItem(at: url) }
        let data = try Self.rewrite(Self.fixture("torch_small", "pth")) { path, bytes in
            path.hasSuffix("/byteorder") ? Data("big".utf8) : bytes
        }
        #expect(throws: TorchCheckpointError.unsupportedByteOrder(file: url.path, found: "big")) {
            try Self.read(data, at: url)
        }
    }

    /// Writes `bytes` to `url` and reads it as a checkpoint.
    static func read(_ bytes: Data, at url: URL) throws -> TorchCheckpoint {
        try bytes.write(to: url)
        return try TorchCheckpoint(contentsOf: url)
    }

    /// The archive at `url` with every entry passed through `transform` (nil drops it), as in-memory ZIP bytes.
    static func rewrite(_ url: URL, _ transform: (String, Data) -> Data?) throws -> Data {
        let source = try Archive(url: url, accessMode: .read)
        let target = try Archive(data: Data(), accessMode: .create)
        for entry in source {
            var bytes = Data()
            _ = try source.extract(entry) { bytes.append($0) }
            guard let replaced = transform(entry.path, bytes) else { continue }
            try target.addEntry(with: entry.path, type: .file, uncompressedSize: Int64(replaced.count)) { position, size in
                replaced.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        return try #require(target.data)
    }
}
