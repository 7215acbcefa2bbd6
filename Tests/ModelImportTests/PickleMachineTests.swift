import Foundation
import Testing
import ZIPFoundation

@testable import ModelImport

/// The pickle subset on hand-written programs, exact errors, and fuzzed copies of a torch-written data.pkl.
@Suite("Pickle machine")
struct PickleMachineTests {
    static func run(_ bytes: [UInt8]) throws(TorchCheckpointError) -> PickleValue {
        var machine = PickleMachine(bytes: bytes, file: "p.pth")
        return try machine.run()
    }

    /// data.pkl of the torch-written small checkpoint.
    static func realPickle() throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "torch_small", withExtension: "pth", subdirectory: "Fixtures"))
        let archive = try Archive(url: url, accessMode: .read)
        let entry = try #require(archive["torch_small/data.pkl"])
        var bytes = Data()
        _ = try archive.extract(entry) { bytes.append($0) }
        return [UInt8](bytes)
    }

    @Test("integers, floats, strings, tuples, lists, dicts and memo round-trip")
    func scalarsAndContainers() throws {
        // {'a': (-257, 1.5, True, None), 'b': [7, 7]} with LONG1, BINFLOAT, BINPUT/BINGET, APPENDS.
        let program: [UInt8] = [
            0x80, 0x02, 0x7D, 0x28, 0x8C, 0x01, 0x61, 0x28, 0x8A, 0x02, 0xFF, 0xFE,
            0x47, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0, 0x88, 0x4E, 0x74,
            0x8C, 0x01, 0x62, 0x5D, 0x28, 0x4B, 0x07, 0x71, 0x00, 0x68, 0x00, 0x65, 0x75, 0x2E,
        ]
        guard case .dict(let dict) = try Self.run(program) else { Issue.record("not a dict"); return }
        guard case .tuple(let a)? = dict["a"], case .list(let b)? = dict["b"] else { Issue.record("wrong values"); return }
        guard case .int(-257) = a[0], case .float(1.5) = a[1], case .bool(true) = a[2], case .none = a[3] else {
            Issue.record("tuple \(a.map(\.typeName))")
            return
        }
        #expect(b.items.count == 2)
    }

    @Test(
        "unsupported opcodes are named with their offset",
        arguments: [
            (
                [0x80, 0x02, 0x49, 0x31, 0x0A, 0x2E] as [UInt8],
                "'p.pth': unsupported pickle opcode 0x49 (INT) at offset 2 of data.pkl; only the subset torch.save uses for state_dicts is supported"
            ),
            (
                [0xFF] as [UInt8],
                "'p.pth': unsupported pickle opcode 0xFF at offset 0 of data.pkl; only the subset torch.save uses for state_dicts is supported"
            ),
        ])
    func unsupportedOpcode(program: [UInt8], message: String) {
        #expect(throws: (any Error).self) { try Self.run(program) }
        do { _ = try Self.run(program) } catch { #expect(error.description == message) }
    }

    @Test(
        "malformed programs give exact errors",
        arguments: [
            ([0x2E] as [UInt8], TorchCheckpointError.malformedPickle(file: "p.pth", offset: 0, reason: "STOP with 0 values on the stack")),
            ([0x80, 0x02, 0x68, 0x05, 0x2E], .malformedPickle(file: "p.pth", offset: 2, reason: "memo slot 5 is empty")),
            (
                [0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x41],
                .malformedPickle(
                    file: "p.pth", offset: 2, reason: "unexpected end of data (truncated pickle)")
            ),
            ([0x80, 0x02, 0x74], .malformedPickle(file: "p.pth", offset: 2, reason: "no MARK on the stack")),
            ([0x80, 0x02, 0x4B, 0x01, 0x61], .malformedPickle(file: "p.pth", offset: 4, reason: "stack underflow")),
            ([0x80, 0x02, 0x5D, 0x4B, 0x01, 0x73], .malformedPickle(file: "p.pth", offset: 5, reason: "stack underflow")),
            ([0x80, 0x02, 0x4B, 0x01, 0x29, 0x52], .malformedPickle(file: "p.pth", offset: 5, reason: "REDUCE on a int, not a global")),
            (
                [0x80, 0x02, 0x28, 0x4B, 0x01, 0x51],
                .unsupportedObject(
                    file: "p.pth", reason: "persistent id int is not torch's ('storage', type, key, location, numel)")
            ),
        ])
    func malformed(program: [UInt8], expected: TorchCheckpointError) {
        #expect(throws: expected) { try Self.run(program) }
    }

    @Test("every truncation of a real data.pkl throws; mutations never crash")
    func fuzzRealPickle() throws {
        let bytes = try Self.realPickle()
        #expect(throws: Never.self) { try Self.run(bytes) }
        for length in 0..<bytes.count {
            #expect(throws: TorchCheckpointError.self) { try Self.run(Array(bytes.prefix(length))) }
        }
        var generator = SplitMix(seed: 42)
        for _ in 0..<2000 {
            var copy = bytes
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let index = Int(generator.next() % UInt64(copy.count))
                copy[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            _ = try? Self.run(copy)
        }
        for _ in 0..<500 {
            _ = try? Self.run((0..<Int(generator.next() % 300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        }
    }

    @Test("a top-level object that holds no tensors is reported with what it holds")
    func noStateDict() throws {
        let dict = PickleDict()
        dict.set(.string("epoch"), .int(3))
        #expect(throws: TorchCheckpointError.noStateDict(file: "p.pth", found: "the top-level dict holds 'epoch' (int)")) {
            try TorchCheckpoint.stateDict(in: .dict(dict), file: "p.pth")
        }
        #expect(throws: TorchCheckpointError.noStateDict(file: "p.pth", found: "the file holds a list")) {
            try TorchCheckpoint.stateDict(in: .list(PickleList()), file: "p.pth")
        }
        #expect(
            TorchCheckpointError.noStateDict(file: "p.pth", found: "the file holds a list").description
                == "'p.pth': no state_dict found: the file holds a list; expected a dict of tensors "
                + "(torch.save(model.state_dict())), possibly under 'model' or 'state_dict'")
    }

    /// Deterministic 64-bit generator for the fuzz loop.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
