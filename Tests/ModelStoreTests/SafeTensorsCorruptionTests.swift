import Foundation
import ModelStore
import TestSupport
import Testing

/// Truncated, garbage and inconsistent safetensors files each give their own exact error and never crash.
@Suite struct SafeTensorsCorruptionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var error: @Sendable (String) -> ModelStoreError
        var testDescription: String { name }
    }

    static let validData = littleEndianBytes([1, 2, 3, 4])
    static let cases: [Case] = [
        Case(name: "empty file", bytes: []) { .fileTooShort(file: $0, size: 0) },
        Case(name: "5 bytes", bytes: [1, 2, 3, 4, 5]) { .fileTooShort(file: $0, size: 5) },
        Case(name: "header length past end", bytes: [0xE8, 0x03, 0, 0, 0, 0, 0, 0, 0x7B, 0x7D]) {
            .headerPastEnd(file: $0, headerLength: 1000, fileSize: 10)
        },
        Case(name: "huge header length", bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7B, 0x7D]) {
            .headerPastEnd(file: $0, headerLength: UInt64.max, fileSize: 10)
        },
        Case(name: "malformed JSON", bytes: safetensorsBytes(header: "{not json")) {
            .malformedHeader(file: $0, reason: "not a JSON object of tensor entries (invalid JSON, UTF-8 or structure)")
        },
        Case(name: "JSON array", bytes: safetensorsBytes(header: "[1, 2]")) {
            .malformedHeader(file: $0, reason: "not a JSON object of tensor entries (invalid JSON, UTF-8 or structure)")
        },
        Case(name: "invalid UTF-8", bytes: Array(safetensorsBytes(header: "{}").dropLast(2)) + [0x7B, 0xFF]) {
            .malformedHeader(file: $0, reason: "not a JSON object of tensor entries (invalid JSON, UTF-8 or structure)")
        },
        Case(name: "entry not an object", bytes: safetensorsBytes(header: #"{"w": 3}"#)) {
            .malformedTensorEntry(file: $0, tensor: "w", reason: "not a JSON object")
        },
        Case(name: "missing dtype", bytes: safetensorsBytes(header: #"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, data: validData)) {
            .malformedTensorEntry(file: $0, tensor: "w", reason: "'dtype' must be a string")
        },
        Case(name: "fractional shape", bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#)) {
            .malformedTensorEntry(file: $0, tensor: "w", reason: "'shape' must be an array of integers")
        },
        Case(name: "three offsets", bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#)) {
            .malformedTensorEntry(file: $0, tensor: "w", reason: "'data_offsets' must be an array of two integers")
        },
        Case(name: "unknown dtype", bytes: safetensorsBytes(header: #"{"w":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}}"#, data: validData)) {
            .unknownDType(file: $0, tensor: "w", dtype: "F99")
        },
        Case(name: "negative dimension", bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#)) {
            .invalidShape(file: $0, tensor: "w", shape: [-1])
        },
        Case(
            name: "overflowing shape", bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#)
        ) {
            .invalidShape(file: $0, tensor: "w", shape: [4_611_686_018_427_387_904, 4])
        },
        Case(
            name: "offsets past data",
            bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: validData.dropLast(4).map { $0 })
        ) {
            .offsetsOutOfRange(file: $0, tensor: "w", begin: 0, end: 16, dataSize: 12)
        },
        Case(name: "reversed offsets", bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#, data: validData)) {
            .offsetsOutOfRange(file: $0, tensor: "w", begin: 8, end: 4, dataSize: 16)
        },
        Case(
            name: "size not dtype × shape",
            bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}"#, data: validData)
        ) {
            .byteCountMismatch(file: $0, tensor: "w", dtype: "F32", shape: [3], expected: 12, actual: 16)
        },
        Case(
            name: "overlapping tensors",
            bytes: safetensorsBytes(
                header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                data: validData)
        ) { .overlappingTensors(file: $0, first: "a", second: "b") },
        Case(name: "metadata not strings", bytes: safetensorsBytes(header: #"{"__metadata__":{"a":1}}"#)) {
            .malformedHeader(file: $0, reason: "__metadata__ must map strings to strings")
        },
        Case(
            name: "overlap hidden behind an empty range",
            bytes: safetensorsBytes(
                header:
                    #"{"a":{"dtype":"U8","shape":[100],"data_offsets":[0,100]},"b":{"dtype":"U8","shape":[0],"data_offsets":[60,60]},"c":{"dtype":"F32","shape":[1],"data_offsets":[60,64]}}"#,
                data: [UInt8](repeating: 0, count: 100))
        ) { .overlappingTensors(file: $0, first: "a", second: "c") },
        Case(
            name: "overlap with a range sorted between",
            bytes: safetensorsBytes(
                header:
                    #"{"a":{"dtype":"U8","shape":[100],"data_offsets":[0,100]},"b":{"dtype":"U8","shape":[4],"data_offsets":[10,14]},"c":{"dtype":"U8","shape":[4],"data_offsets":[96,100]}}"#,
                data: [UInt8](repeating: 0, count: 100))
        ) { .overlappingTensors(file: $0, first: "a", second: "b") },
        Case(
            name: "duplicate tensor key",
            bytes: safetensorsBytes(
                header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                data: validData)
        ) {
            .malformedHeader(file: $0, reason: "key 'w' appears twice")
        },
        Case(
            name: "duplicate field",
            bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1],"shape":[2],"data_offsets":[0,4]}}"#, data: validData)
        ) {
            .malformedTensorEntry(file: $0, tensor: "w", reason: "field 'shape' appears twice")
        },
        Case(name: "duplicate metadata key", bytes: safetensorsBytes(header: #"{"__metadata__":{"a":"1","a":"2"}}"#)) {
            .malformedHeader(file: $0, reason: "__metadata__ key 'a' appears twice")
        },
        Case(name: "duplicate metadata", bytes: safetensorsBytes(header: #"{"__metadata__":{},"__metadata__":{}}"#)) {
            .malformedHeader(file: $0, reason: "key '__metadata__' appears twice")
        },
        Case(
            name: "integral float in shape",
            bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}"#, data: validData)
        ) {
            .malformedTensorEntry(file: $0, tensor: "w", reason: "'shape' must be an array of integers")
        },
        Case(
            name: "exponent in offsets",
            bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4e0]}}"#, data: validData)
        ) {
            .malformedTensorEntry(file: $0, tensor: "w", reason: "'data_offsets' must be an array of two integers")
        },
        Case(
            name: "offset beyond Int",
            bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,99999999999999999999]}}"#, data: validData)
        ) {
            .malformedTensorEntry(file: $0, tensor: "w", reason: "'data_offsets' must be an array of two integers")
        },
        Case(
            name: "Int.min offset",
            bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[-9223372036854775808,4]}}"#, data: validData)
        ) {
            .offsetsOutOfRange(file: $0, tensor: "w", begin: Int.min, end: 4, dataSize: 16)
        },
        Case(name: "string in shape", bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}"#, data: validData))
        {
            .malformedTensorEntry(file: $0, tensor: "w", reason: "'shape' must be an array of integers")
        },
        Case(
            name: "65 dimensions",
            bytes: safetensorsBytes(
                header: #"{"w":{"dtype":"F32","shape":["# + Array(repeating: "1", count: 65).joined(separator: ",") + #"],"data_offsets":[0,4]}}"#,
                data: validData)
        ) {
            .malformedTensorEntry(file: $0, tensor: "w", reason: "'shape' has more than 64 dimensions")
        },
        Case(
            name: "unknown field nested 100,000 deep",
            bytes: safetensorsBytes(header: #"{"w":{"x":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}}")
        ) {
            .malformedHeader(file: $0, reason: "values nest more than 64 deep")
        },
        Case(name: "trailing garbage", bytes: safetensorsBytes(header: "{} x")) {
            .malformedHeader(file: $0, reason: "not a JSON object of tensor entries (invalid JSON, UTF-8 or structure)")
        },
        Case(name: "lone surrogate in a name", bytes: safetensorsBytes(header: #"{"\ud800":{}}"#)) {
            .malformedHeader(file: $0, reason: "not a JSON object of tensor entries (invalid JSON, UTF-8 or structure)")
        },
        Case(name: "raw control character in a name", bytes: safetensorsBytes(header: "{\"a\u{01}\":{}}")) {
            .malformedHeader(file: $0, reason: "not a JSON object of tensor entries (invalid JSON, UTF-8 or structure)")
        },
        Case(name: "leading zero", bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[01],"data_offsets":[0,4]}}"#, data: validData)) {
            .malformedHeader(file: $0, reason: "not a JSON object of tensor entries (invalid JSON, UTF-8 or structure)")
        },
    ]

    @Test(arguments: cases)
    func rejects(_ testCase: Case) throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-store-tests")
        defer { directory.remove() }
        let url = try directory.write(testCase.bytes, to: "bad.safetensors")
        #expect(throws: testCase.error(url.path)) { try SafeTensorsFile(contentsOf: url) }
    }

    /// Every prefix of a valid file fails cleanly, and seeded garbage never crashes the reader.
    @Test func truncationsAndGarbage() throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-store-tests")
        defer { directory.remove() }
        let valid = try SafeTensorsWriter.encode(
            tensors: [.init(name: "w", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]), .init(name: "b", shape: [2], values: [7, 8])],
            metadata: ["ssdd.format": "1"])
        for length in 0..<valid.count {
            let url = try directory.write(Array(valid.prefix(length)), to: "cut.safetensors")
            #expect(throws: ModelStoreError.self, "prefix of \(length) bytes") { try SafeTensorsFile(contentsOf: url) }
        }
        var state: UInt64 = 0x1234_5678
        for round in 0..<200 {
            var bytes = [UInt8](repeating: 0, count: 8 + round % 64)
            for index in bytes.indices {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes[index] = UInt8(truncatingIfNeeded: state >> 33)
            }
            if round % 2 == 0 {  // plausible header length, garbage JSON
                bytes.replaceSubrange(0..<8, with: [UInt8(bytes.count - 8), 0, 0, 0, 0, 0, 0, 0])
            }
            let url = try directory.write(bytes, to: "garbage.safetensors")
            #expect(throws: ModelStoreError.self, "garbage round \(round)") { try SafeTensorsFile(contentsOf: url) }
        }
    }

    /// Escapes decode (a surrogate pair included) and unknown fields of any kind, nested up to the limit, are skipped.
    @Test func escapesAndUnknownFields() throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-store-tests")
        defer { directory.remove() }
        let header =
            #"{"w\u00e9\ud83d\ude00\n":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":[{"y":"# + String(repeating: "[", count: 61)
            + #"true,null,-1.5e3,"s\"",{}"# + String(repeating: "]", count: 61) + #"}]},"__metadata__":{"k":"v\t"}}"#
        let url = try directory.write(safetensorsBytes(header: header, data: Self.validData), to: "ok.safetensors")
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.tensors.map(\.name) == ["wé😀\n"])
        #expect(file.metadata == ["k": "v\t"])
    }

    @Test func missingFile() {
        let path = "/nonexistent/ssdd/model.safetensors"
        #expect(throws: ModelStoreError.cannotOpen(file: path, reason: "No such file or directory")) {
            try SafeTensorsFile(contentsOf: URL(fileURLWithPath: path))
        }
    }
}
