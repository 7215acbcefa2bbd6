import Foundation
import TestSupport
import Testing
import ZIPFoundation

@testable import ModelImport

/// Hostile `.pth` files and pickles, each built here: deep nesting, zip bombs, wrong CRCs, lying sizes and views that
/// multiply one storage end in an exact ``TorchCheckpointError``, never a trap, stack overflow or gigabyte allocation.
@Suite("Hostile PyTorch checkpoints")
struct HostileCheckpointTests {
    /// Pickle opcodes for hand-written programs.
    enum Op {
        static func string(_ text: String) -> [UInt8] { [0x8C, UInt8(text.utf8.count)] + Array(text.utf8) }
        static func global(_ module: String, _ name: String) -> [UInt8] { [0x63] + Array("\(module)\n\(name)\n".utf8) }
        static func int(_ value: Int32) -> [UInt8] {
            [0x4A] + (0..<4).map { UInt8(truncatingIfNeeded: UInt32(bitPattern: value) >> (8 * UInt32($0))) }
        }
        static func long(_ value: Int64) -> [UInt8] {
            [0x8A, 8] + (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: value) >> (8 * UInt64($0))) }
        }
        static func tuple(_ items: [[UInt8]]) -> [UInt8] { [0x28] + items.flatMap { $0 } + [0x74] }
    }

    /// `{'w': tensor}` where the tensor views storage '0' of `elements` floats with `shape` and `stride`.
    static func stateDictPickle(elements: Int32, shape: [Int64], stride: [Int64], keys: [String] = ["w"]) -> [UInt8] {
        let storage =
            Op.tuple([Op.string("storage"), Op.global("torch", "FloatStorage"), Op.string("0"), Op.string("cpu"), Op.int(elements)])
            + [0x51]
        var program: [UInt8] = [0x80, 0x02, 0x7D]
        for (index, key) in keys.enumerated() {
            program += Op.string(key) + Op.global("torch._utils", "_rebuild_tensor_v2")
            let persistent = index == 0 ? storage + [0x71, 0x00] : [0x68, 0x00]  // BINPUT 0 / BINGET 0
            program += Op.tuple([
                persistent, Op.int(0), Op.tuple(shape.map(Op.long)), Op.tuple(stride.map(Op.long)), [0x89],
                Op.global("collections", "OrderedDict") + [0x29, 0x52],
            ])
            program += [0x52, 0x73]
        }
        return program + [0x2E]
    }

    /// A torch-like archive `c/data.pkl`, `c/data/0` (floats 0, 1, 2, …), deflated when `compress`.
    static func archive(pickle: [UInt8], storageBytes: Int, compress: Bool = false) throws -> Data {
        let target = try Archive(data: Data(), accessMode: .create)
        let storage = Data(
            (0..<storageBytes / 4).flatMap { index -> [UInt8] in
                let bits = Float(index).bitPattern
                return (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt32($0))) }
            })
        for (path, bytes) in [("c/data.pkl", Data(pickle)), ("c/data/0", storage)] {
            try target.addEntry(
                with: path, type: .file, uncompressedSize: Int64(bytes.count),
                compressionMethod: compress ? .deflate : .none
            ) { position, size in bytes.subdata(in: Int(position)..<(Int(position) + size)) }
        }
        return try #require(target.data)
    }

    /// Offsets of the ZIP local headers and central directory records of `path` in `zip`.
    static func headers(of path: String, in zip: Data) -> (local: Int, central: Int) {
        let name = Array(path.utf8)
        let bytes = [UInt8](zip)
        var local = -1
        var central = -1
        for offset in 0..<(bytes.count - 46) {
            if bytes[offset..<(offset + 4)] == [0x50, 0x4B, 0x03, 0x04], Array(bytes[(offset + 30)..<(offset + 30 + name.count)]) == name {
                local = offset
            }
            if bytes[offset..<(offset + 4)] == [0x50, 0x4B, 0x01, 0x02], offset + 46 + name.count <= bytes.count,
                Array(bytes[(offset + 46)..<(offset + 46 + name.count)]) == name
            {
                central = offset
            }
        }
        return (local, central)
    }

    /// `zip` with a 32-bit little-endian field rewritten in the local header and the central record of `path`.
    static func patch(_ zip: Data, entry path: String, localOffset: Int, centralOffset: Int, value: UInt32) -> Data {
        var copy = [UInt8](zip)
        let (local, central) = headers(of: path, in: zip)
        for position in [local + localOffset, central + centralOffset] {
            for byte in 0..<4 { copy[position + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(byte))) }
        }
        return Data(copy)
    }

    static func read(_ bytes: Data, _ name: String = "h.pth") throws -> (URL, Result<TorchCheckpoint, TorchCheckpointError>) {
        let url = ScratchDirectory.make("hostile-torch").appendingPathComponent(name)
        try bytes.write(to: url)
        return (url, Result { () throws(TorchCheckpointError) in try TorchCheckpoint(contentsOf: url) })
    }

    @Test("the generated checkpoint reads back (the generators are right)")
    func generatorBaseline() throws {
        let (_, result) = try Self.read(
            try Self.archive(pickle: Self.stateDictPickle(elements: 6, shape: [2, 3], stride: [3, 1]), storageBytes: 24, compress: true))
        let checkpoint = try result.get()
        #expect(checkpoint.tensors["w"]?.values == [0, 1, 2, 3, 4, 5])
    }

    @Test("pickles nesting tuples, lists or dicts 100,000 deep are refused at the limit", arguments: ["tuple", "mark-tuple", "list", "dict"])
    func nesting(_ kind: String) throws {
        let depth = 100_000
        var program: [UInt8] = [0x80, 0x02]
        func slot(_ index: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: index >> (8 * $0)) } }
        switch kind {
        case "tuple":  // EMPTY_TUPLE, TUPLE1 …
            program += [0x29] + [UInt8](repeating: 0x85, count: depth)
        case "mark-tuple":  // MARK …, EMPTY_TUPLE, TUPLE …
            program += [UInt8](repeating: 0x28, count: depth) + [0x29] + [UInt8](repeating: 0x74, count: depth)
        case "list":  // x = []; repeat x = [x]: MEMOIZE, POP, EMPTY_LIST, LONG_BINGET, APPEND
            program += [0x5D]
            for index in 0..<depth { program += [0x94, 0x30, 0x5D, 0x6A] + slot(index) + [0x61] }
        default:  // x = {}; repeat x = {1: x}: MEMOIZE, POP, EMPTY_DICT, BININT1 1, LONG_BINGET, SETITEM
            program += [0x7D]
            for index in 0..<depth { program += [0x94, 0x30, 0x7D, 0x4B, 0x01, 0x6A] + slot(index) + [0x73] }
        }
        program.append(0x2E)
        var machine = PickleMachine(bytes: program, file: "p.pth")
        do {
            _ = try machine.run()
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix("'p.pth': malformed pickle at offset "), "\(error)")
            #expect(error.description.hasSuffix(": containers nest more than 256 deep"), "\(error)")
        }
    }

    @Test("nesting up to the limit is accepted, one more level is not")
    func nestingLimit() throws {
        let limit = PickleMachine.maximumNesting
        func tuples(_ depth: Int) -> [UInt8] { [0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: depth - 1) + [0x2E] }
        var fits = PickleMachine(bytes: tuples(limit), file: "p.pth")
        #expect(throws: Never.self) { _ = try fits.run() }
        var deep = PickleMachine(bytes: tuples(limit + 1), file: "p.pth")
        #expect(throws: TorchCheckpointError.malformedPickle(file: "p.pth", offset: 2 + limit, reason: "containers nest more than \(limit) deep")) {
            _ = try deep.run()
        }
    }

    @Test("a list that is appended to itself (or grows after being nested) is refused")
    func recursiveList() throws {
        // EMPTY_LIST, MEMOIZE, BINGET 0, APPEND, STOP: l = []; l.append(l)
        var machine = PickleMachine(bytes: [0x80, 0x02, 0x5D, 0x94, 0x68, 0x00, 0x61, 0x2E], file: "p.pth")
        #expect(
            throws: TorchCheckpointError.malformedPickle(
                file: "p.pth", offset: 6, reason: "a list or dict grows deeper after being put into another container (a recursive structure)")
        ) { _ = try machine.run() }
    }

    @Test("a dict that becomes its own key or value is refused (fuzz finding: the cycle leaked)")
    func dictInItself() throws {
        // EMPTY_DICT, DUP, DUP, SETITEM, STOP: d[d] = d
        var machine = PickleMachine(bytes: [0x80, 0x02, 0x7D, 0x32, 0x32, 0x73, 0x2E], file: "p.pth")
        #expect(
            throws: TorchCheckpointError.malformedPickle(
                file: "p.pth", offset: 5, reason: "a list or dict grows deeper after being put into another container (a recursive structure)")
        ) { _ = try machine.run() }
        // The input libFuzzer found (tools/fuzz, pickle harness): torch_nested's data.pkl with DUPs of the top-level dict
        // before a SETITEMS, which made the dict a key of itself.
        let hex = """
            80027d710028580500000065706f636871014b0758020000006c727102473f50624dd2f1a9fc580a0000007374617465
            5f64696374710363636f6c6c656374696f6e730a4f726465726564446963740a710429527105580c0000006c61796572
            2e776569676874710663746f7263682e5f7574696c730a5f72656275696c645f74656e736f725f76310a710728285807
            00000073746f72616765710863746f7263680a466c6f617453746f726167650a7109580100000030710a580300000063
            7075710b4b6c74710c514b00284b024b034b034b0374710d284b1b4b094b034b0174710e8968042952710f7471105271
            117332323232323232323232323232323232323232323232323232323232323232323232323232323232323232323232
            32323232323232323232323258050000006e616d65737371125d71132858010000006171145801000000627115655805
            000000666c616773711688894e877117752e
            """.replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: " ", with: "")
        let found = stride(from: 0, to: hex.count, by: 2).map { offset -> UInt8 in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
        var fuzzed = PickleMachine(bytes: found, file: "p.pth")
        do {
            _ = try fuzzed.run()
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasSuffix(": a list or dict grows deeper after being put into another container (a recursive structure)"))
        }
    }

    @Test("a member whose CRC-32 is wrong is refused")
    func wrongCRC() throws {
        let zip = try Self.archive(pickle: Self.stateDictPickle(elements: 6, shape: [6], stride: [1]), storageBytes: 24)
        let bad = Self.patch(zip, entry: "c/data/0", localOffset: 14, centralOffset: 16, value: 0xDEAD_BEEF)
        let (url, result) = try Self.read(bad)
        #expect(
            throws: TorchCheckpointError.corruptEntry(
                file: url.path, entry: "c/data/0", reason: "its CRC-32 is 0x91e79017, the archive records 0xdeadbeef")
        ) {
            try result.get()
        }
        #expect(
            TorchCheckpointError.corruptEntry(file: "f.pth", entry: "c/data/0", reason: "r").description
                == "'f.pth': archive entry 'c/data/0' is corrupt: r; the file is damaged")
    }

    @Test("a 1 MB zip that inflates to 1 GiB fails before inflating, from its declared size")
    func zipBomb() throws {
        // The storage is declared 1 GiB both by the pickle and the archive; the data itself is a small deflated stream.
        let gib: Int32 = 1 << 28
        let zip = try Self.archive(pickle: Self.stateDictPickle(elements: gib, shape: [Int64(gib)], stride: [1]), storageBytes: 4096, compress: true)
        let bomb = Self.patch(zip, entry: "c/data/0", localOffset: 22, centralOffset: 24, value: 1 << 30)
        let (url, result) = try Self.read(bomb)
        #expect(
            throws: TorchCheckpointError.tooLarge(
                file: url.path, item: "archive entry 'c/data/0'", bytes: 1 << 30, limit: 4 * bomb.count + (16 << 20), archiveSize: bomb.count)
        ) { try result.get() }
        #expect(
            TorchCheckpointError.tooLarge(file: "f.pth", item: "x", bytes: 5, limit: 4, archiveSize: 1).description
                == "'f.pth': x needs 5 bytes, more than the 4 a 1-byte archive can justify in all (4 × its size + 16 MiB); the file is corrupt or a zip bomb"
        )
    }

    @Test("a member that inflates past its declared size stops there")
    func inflatesPastDeclaredSize() throws {
        let zip = try Self.archive(pickle: Self.stateDictPickle(elements: 2, shape: [2], stride: [1]), storageBytes: 100_000, compress: true)
        let lying = Self.patch(zip, entry: "c/data/0", localOffset: 22, centralOffset: 24, value: 8)
        let (url, result) = try Self.read(lying)
        #expect(throws: TorchCheckpointError.corruptEntry(file: url.path, entry: "c/data/0", reason: "it inflates past its declared size of 8 bytes"))
        {
            try result.get()
        }
    }

    @Test("a storage entry longer than the pickle declares is refused")
    func storageLongerThanDeclared() throws {
        let zip = try Self.archive(pickle: Self.stateDictPickle(elements: 2, shape: [2], stride: [1]), storageBytes: 4096)
        let (url, result) = try Self.read(zip)
        #expect(throws: TorchCheckpointError.corruptEntry(file: url.path, entry: "c/data/0", reason: "it holds 4096 bytes, more than the 8 expected"))
        {
            try result.get()
        }
    }

    @Test("tensors that repeat one small storage (stride 0, or many keys) stop at the archive's budget")
    func viewAmplification() throws {
        let zip = try Self.archive(pickle: Self.stateDictPickle(elements: 1, shape: [1 << 30], stride: [0]), storageBytes: 4)
        let (url, result) = try Self.read(zip)
        #expect(
            throws: TorchCheckpointError.tooLarge(
                file: url.path, item: "tensor 'w'", bytes: 1 << 32, limit: 4 * zip.count + (16 << 20), archiveSize: zip.count)
        ) { try result.get() }

        let keys = (0..<40).map { "k\($0)" }
        let shared = try Self.archive(
            pickle: Self.stateDictPickle(elements: 1 << 18, shape: [1 << 18], stride: [1], keys: keys), storageBytes: 1 << 20)
        let (sharedURL, sharedResult) = try Self.read(shared, "shared.pth")
        do {
            _ = try sharedResult.get()
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix("'\(sharedURL.path)': tensor 'k"))
        }
    }

    @Test("a huge stride on an axis of extent 1 neither overflows nor matters")
    func strideOnUnitAxis() throws {
        let zip = try Self.archive(pickle: Self.stateDictPickle(elements: 6, shape: [2, 1, 2], stride: [3, Int64.max, 1]), storageBytes: 24)
        let (_, result) = try Self.read(zip)
        #expect(try result.get().tensors["w"]?.values == [0, 1, 3, 4])
    }

    @Test("a FIFO named .pth is refused instead of blocking")
    func fifo() throws {
        let url = ScratchDirectory.make("hostile-torch").appendingPathComponent("pipe.pth")
        try? FileManager.default.removeItem(at: url)
        #expect(mkfifo(url.path, 0o600) == 0)
        #expect(throws: TorchCheckpointError.cannotRead(file: url.path, reason: "not a regular file (a directory, FIFO, socket or device)")) {
            try TorchCheckpoint(contentsOf: url)
        }
    }
}
