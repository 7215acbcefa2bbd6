import Foundation
import ModelStore
import NeuralNet
import TestSupport
import Testing

/// Round trips and lending of the safetensors reader and writer.
@Suite struct SafeTensorsTests {
    @Test func writeThenReadRoundTrips() throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-store-tests")
        defer { directory.remove() }
        let url = directory.file("round.safetensors")
        let tensors = [
            SafeTensorsWriter.Tensor(name: "b", shape: [3], values: [1, -2, 3.5]),
            SafeTensorsWriter.Tensor(name: "a/weights", shape: [2, 1, 1, 2], values: [0.25, .pi, -0, 1e-30]),
            SafeTensorsWriter.Tensor(name: "scalar", shape: [], values: [42]),
            SafeTensorsWriter.Tensor(name: "empty", shape: [0, 4], values: []),
        ]
        try SafeTensorsWriter.write(tensors: tensors, metadata: ["k": "v", "json": "{\"x\": [1, 2]}"], to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.metadata == ["k": "v", "json": "{\"x\": [1, 2]}"])
        #expect(file.tensors.map(\.name) == ["b", "a/weights", "scalar", "empty"])
        #expect(file.parameterNames == ["a/weights", "b", "empty", "scalar"])
        for tensor in tensors {
            try file.withParameter(named: tensor.name) { view in
                #expect(view.shape == tensor.shape)
                #expect(Array(view.values).map(\.bitPattern) == tensor.values.map(\.bitPattern))
            }
            #expect(try file.floatValues(named: tensor.name).map(\.bitPattern) == tensor.values.map(\.bitPattern))
        }
        // The data section starts on an 8-byte boundary, so every F32 tensor is aligned in the mapping.
        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect((8 + headerLength) % 8 == 0)
    }

    /// Writing replaces the file in one step and leaves no temporary file anywhere (beside the target or in /tmp);
    /// a directory that does not exist is a clear error.
    @Test func writesAtomicallyWithoutLeftovers() throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-store-tests")
        defer { directory.remove() }
        let url = directory.file("model.safetensors")
        func stagingDirectories() -> Set<String> {
            Set(((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("TemporaryDirectory.") })
        }
        let before = stagingDirectories()
        try SafeTensorsWriter.write(tensors: [.init(name: "a", shape: [1], values: [1])], metadata: [:], to: url)
        try SafeTensorsWriter.write(tensors: [.init(name: "b", shape: [2], values: [2, 3])], metadata: [:], to: url)
        #expect(try SafeTensorsFile(contentsOf: url).parameterNames == ["b"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["model.safetensors"])
        #expect(stagingDirectories().subtracting(before).isEmpty)
        let missing = directory.file("no/such/dir/model.safetensors")
        #expect(
            throws: ModelStoreError.cannotWrite(
                file: missing.path, reason: "cannot create \(missing.path).partial-\(getpid()): No such file or directory")
        ) {
            try SafeTensorsWriter.write(tensors: [.init(name: "a", shape: [1], values: [1])], metadata: [:], to: missing)
        }
    }

    /// Lending points into the mapping: two borrows of one tensor see the same address.
    @Test func lendsWithoutCopying() throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-store-tests")
        defer { directory.remove() }
        let url = directory.file("lend.safetensors")
        try SafeTensorsWriter.write(
            tensors: [SafeTensorsWriter.Tensor(name: "w", shape: [4], values: [1, 2, 3, 4])], metadata: [:], to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        let first = try file.withFloat32(named: "w") { UInt(bitPattern: $0.values.baseAddress) }
        let second = try file.withFloat32(named: "w") { UInt(bitPattern: $0.values.baseAddress) }
        #expect(first == second && first != 0)
    }

    @Test func convertsOtherFloatTypesOnRequest() throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-store-tests")
        defer { directory.remove() }
        // F16: 1.0 (0x3C00), -2.0 (0xC000), smallest subnormal (0x0001); BF16: 1.0 (0x3F80); F64: 0.1.
        let half: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00]
        let bfloat: [UInt8] = [0x80, 0x3F]
        let double = withUnsafeBytes(of: (0.1 as Double).bitPattern.littleEndian) { Array($0) }
        let header =
            #"{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[6,8]},"d":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},"i":{"dtype":"I32","shape":[1],"data_offsets":[16,20]}}"#
        let url = try directory.write(safetensorsBytes(header: header, data: half + bfloat + double + [1, 0, 0, 0]), to: "t.safetensors")
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(try file.floatValues(named: "h") == [1, -2, Float(bitPattern: 0x3380_0000)])
        #expect(try file.floatValues(named: "b") == [1])
        #expect(try file.floatValues(named: "d") == [Float(0.1)])
        #expect(throws: ModelStoreError.unsupportedDType(file: url.path, tensor: "h", dtype: "F16", supported: "F32")) {
            try file.withFloat32(named: "h") { _ in }
        }
        #expect(
            throws: ModelStoreError.unsupportedDType(file: url.path, tensor: "i", dtype: "I32", supported: "F32, F64, F16 or BF16")
        ) { try file.floatValues(named: "i") }
        #expect(throws: NetworkError.missingParameter("nope")) { try file.withParameter(named: "nope") { _ in } }
        #expect(throws: ModelStoreError.missingTensor(file: url.path, tensor: "nope")) { try file.floatValues(named: "nope") }
    }

    /// Float data that another writer left unaligned is still lent correctly (through a temporary copy).
    @Test func unalignedFloatData() throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-store-tests")
        defer { directory.remove() }
        let header = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[1,9]},"pad":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#
        let url = try directory.write(safetensorsBytes(header: header, data: [7] + littleEndianBytes([1.5, -3])), to: "u.safetensors")
        let values = try SafeTensorsFile(contentsOf: url).withFloat32(named: "w") { Array($0.values) }
        #expect(values == [1.5, -3])
    }

    @Test func writerRejectsInconsistentTensors() throws {
        #expect(throws: ModelStoreError.invalidParameter(tensor: "w", reason: "shape [2, 2] needs 4 values, got 3")) {
            try SafeTensorsWriter.encode(tensors: [.init(name: "w", shape: [2, 2], values: [1, 2, 3])], metadata: [:])
        }
        #expect(throws: ModelStoreError.invalidParameter(tensor: "w", reason: "the name appears twice")) {
            try SafeTensorsWriter.encode(
                tensors: [.init(name: "w", shape: [1], values: [1]), .init(name: "w", shape: [1], values: [1])], metadata: [:])
        }
        #expect(throws: ModelStoreError.invalidParameter(tensor: "__metadata__", reason: "the name is reserved for metadata")) {
            try SafeTensorsWriter.encode(tensors: [.init(name: "__metadata__", shape: [1], values: [1])], metadata: [:])
        }
    }
}
