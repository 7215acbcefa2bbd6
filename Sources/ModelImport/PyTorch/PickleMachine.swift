/// Executes the subset of the pickle protocol (versions 2–5) that `torch.save` emits for a state_dict, without ever
/// running Python code: GLOBAL/REDUCE only recognise `collections.OrderedDict` and torch's tensor-rebuild functions and
/// turn every other callable into an opaque placeholder.
///
/// Supported: PROTO, FRAME, STOP, MARK, POP, POP_MARK, DUP, NONE, NEWTRUE, NEWFALSE, BININT, BININT1, BININT2, LONG1,
/// BINFLOAT, BINUNICODE, SHORT_BINUNICODE, BINUNICODE8, SHORT_BINSTRING, BINSTRING, SHORT_BINBYTES, BINBYTES,
/// EMPTY_TUPLE, TUPLE, TUPLE1–3, EMPTY_LIST, APPEND, APPENDS, EMPTY_DICT, SETITEM, SETITEMS, BINPUT, LONG_BINPUT,
/// MEMOIZE, BINGET, LONG_BINGET, GLOBAL, STACK_GLOBAL, REDUCE, NEWOBJ, BUILD, BINPERSID. Anything else throws
/// ``TorchCheckpointError/unsupportedOpcode(file:opcode:name:offset:)``; inconsistent streams throw
/// ``TorchCheckpointError/malformedPickle(file:offset:reason:)``. Never traps on bad input.
///
/// Containers may nest at most ``maximumNesting`` deep: releasing a deeper value recurses once per level and would
/// overflow the stack. Each stack and memo item carries its nesting (lists and dicts keep theirs, as they are mutated
/// in place); a list or dict that has been put into another container may not grow deeper afterwards, which only a
/// recursive structure (never a state_dict) does, so the recorded nesting of every container stays an upper bound.
struct PickleMachine {
    /// Deepest nesting of tuples, lists and dicts accepted; a state_dict nests about four deep.
    static let maximumNesting = 256

    /// A value and the nesting of containers within it (0 for scalars; a list's or dict's own count is authoritative).
    private struct Item {
        var value: PickleValue
        var nesting: Int
    }

    let bytes: [UInt8]
    /// Names the checkpoint in errors.
    let file: String

    private var position = 0
    /// Offset of the opcode being executed, for errors.
    private var opcodeOffset = 0
    private var stack: [Item] = []
    private var marks: [Int] = []
    private var memo: [Int: Item] = [:]

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Runs the program to STOP and returns the unpickled object.
    mutating func run() throws(TorchCheckpointError) -> PickleValue {
        while true {
            opcodeOffset = position
            let opcode = try readByte()
            if opcode == 0x2E {  // STOP
                guard let result = stack.last, stack.count == 1 else { throw malformed("STOP with \(stack.count) values on the stack") }
                return result.value
            }
            try execute(opcode)
        }
    }

    private mutating func execute(_ opcode: UInt8) throws(TorchCheckpointError) {
        switch opcode {
        case 0x80: _ = try readByte()  // PROTO
        case 0x95: _ = try readBytes(8)  // FRAME: length of the next frame; frames are contiguous, nothing to do
        case 0x28: marks.append(stack.count)  // MARK
        case 0x30: _ = try pop()  // POP
        case 0x31: _ = try popMark()  // POP_MARK
        case 0x32: stack.append(try topItem())  // DUP
        case 0x4E: push(.none)
        case 0x88: push(.bool(true))
        case 0x89: push(.bool(false))
        case 0x4A: push(.int(Int(Int32(bitPattern: UInt32(try readUnsigned(4))))))  // BININT
        case 0x4B: push(.int(Int(try readByte())))  // BININT1
        case 0x4D: push(.int(try readUnsigned(2)))  // BININT2
        case 0x8A: push(.int(try readLong(count: Int(try readByte()))))  // LONG1
        case 0x47: push(.float(Double(bitPattern: UInt64(try readBigEndian(8)))))  // BINFLOAT
        case 0x58: push(.string(try readString(count: try readUnsigned(4))))  // BINUNICODE
        case 0x8C, 0x55: push(.string(try readString(count: Int(try readByte()))))  // SHORT_BINUNICODE, SHORT_BINSTRING
        case 0x8D: push(.string(try readString(count: try readUnsigned(8))))  // BINUNICODE8
        case 0x54: push(.string(try readString(count: try readUnsigned(4))))  // BINSTRING
        case 0x43: _ = try readBytes(Int(try readByte())); push(.opaque("bytes"))  // SHORT_BINBYTES
        case 0x42: _ = try readBytes(try readUnsigned(4)); push(.opaque("bytes"))  // BINBYTES
        case 0x29: stack.append(Item(value: .tuple([]), nesting: 1))
        case 0x74: try pushTuple(try popMark())  // TUPLE
        case 0x85, 0x86, 0x87: try pushTuple(count: Int(opcode - 0x84))  // TUPLE1–3
        case 0x5D: push(.list(PickleList()))
        case 0x61: try append([try popItem()])  // APPEND
        case 0x65: try append(try popMark())  // APPENDS
        case 0x7D: push(.dict(PickleDict()))
        case 0x73: try setItems(Array([try popItem(), try popItem()].reversed()))  // SETITEM
        case 0x75: try setItems(try popMark())  // SETITEMS
        case 0x71: memo[Int(try readByte())] = try topItem()  // BINPUT
        case 0x72: memo[try readUnsigned(4)] = try topItem()  // LONG_BINPUT
        case 0x94: memo[memo.count] = try topItem()  // MEMOIZE
        case 0x68: try pushMemo(Int(try readByte()))  // BINGET
        case 0x6A: try pushMemo(try readUnsigned(4))  // LONG_BINGET
        case 0x63: push(.global(module: try readLine(), name: try readLine()))  // GLOBAL
        case 0x93: try stackGlobal()
        case 0x52: try reduce()  // REDUCE
        case 0x81: try newObject()  // NEWOBJ
        case 0x62: _ = try pop(); _ = try topItem()  // BUILD: attributes (OrderedDict._metadata) are not needed
        case 0x51: push(try persistentLoad(try pop()))  // BINPERSID
        default:
            throw TorchCheckpointError.unsupportedOpcode(
                file: file, opcode: opcode, name: PickleOpcode.names[opcode], offset: opcodeOffset)
        }
    }

    // MARK: Stack

    mutating func pop() throws(TorchCheckpointError) -> PickleValue {
        try popItem().value
    }

    private mutating func popItem() throws(TorchCheckpointError) -> Item {
        if let mark = marks.last, mark >= stack.count { throw malformed("stack underflow (pop below a MARK)") }
        guard let item = stack.popLast() else { throw malformed("stack underflow") }
        return item
    }

    /// Pushes a value that is not a tuple (tuples are pushed with their nesting by ``pushTuple(_:)``).
    mutating func push(_ value: PickleValue) {
        stack.append(Item(value: value, nesting: 0))
    }

    private func topItem() throws(TorchCheckpointError) -> Item {
        guard let item = stack.last else { throw malformed("stack underflow") }
        return item
    }

    /// Pops everything above the last MARK, and the mark.
    private mutating func popMark() throws(TorchCheckpointError) -> [Item] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw malformed("no MARK on the stack") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private mutating func pushTuple(count: Int) throws(TorchCheckpointError) {
        var items: [Item] = []
        for _ in 0..<count { items.append(try popItem()) }
        try pushTuple(items.reversed())
    }

    private mutating func pushTuple(_ items: [Item]) throws(TorchCheckpointError) {
        let nesting = try nest(items, into: 0)
        stack.append(Item(value: .tuple(items.map(\.value)), nesting: nesting))
    }

    private mutating func pushMemo(_ index: Int) throws(TorchCheckpointError) {
        guard let item = memo[index] else { throw malformed("memo slot \(index) is empty") }
        stack.append(item)
    }

    private mutating func append(_ items: [Item]) throws(TorchCheckpointError) {
        let target = try topItem()
        guard case .list(let list) = target.value else { throw malformed("APPEND(S) to a \(target.value.typeName), not a list") }
        list.nesting = try grow(list.nesting, with: items) { list.isNested }
        list.items += items.map(\.value)
    }

    private mutating func setItems(_ items: [Item]) throws(TorchCheckpointError) {
        guard items.count % 2 == 0 else { throw malformed("SETITEMS with an odd number of values") }
        let target = try topItem()
        guard case .dict(let dict) = target.value else { throw malformed("SETITEM(S) on a \(target.value.typeName), not a dict") }
        dict.nesting = try grow(dict.nesting, with: items) { dict.isNested }
        for index in stride(from: 0, to: items.count, by: 2) { dict.set(items[index].value, items[index + 1].value) }
    }

    /// The nesting of a list or dict of nesting `nesting` once `items` are added; a container that is nested in another
    /// (checked after marking `items`, so a container added to itself counts) may not grow deeper (see the type's note).
    private func grow(_ nesting: Int, with items: [Item], isNested: () -> Bool) throws(TorchCheckpointError) -> Int {
        let grown = try nest(items, into: nesting)
        if grown > nesting && isNested() {
            throw malformed("a list or dict grows deeper after being put into another container (a recursive structure)")
        }
        return grown
    }

    /// Marks the lists and dicts among `items` as nested and returns `max(nesting, 1 + their deepest nesting)`.
    private func nest(_ items: [Item], into nesting: Int) throws(TorchCheckpointError) -> Int {
        var deepest = max(nesting, 1)
        for item in items {
            let inner: Int
            switch item.value {
            case .list(let list):
                list.isNested = true
                inner = list.nesting
            case .dict(let dict):
                dict.isNested = true
                inner = dict.nesting
            default:
                inner = item.nesting
            }
            deepest = max(deepest, inner + 1)
        }
        guard deepest <= Self.maximumNesting else {
            throw malformed("containers nest more than \(Self.maximumNesting) deep")
        }
        return deepest
    }

    mutating func stackGlobal() throws(TorchCheckpointError) {
        let name = try pop()
        let module = try pop()
        guard case .string(let n) = name, case .string(let m) = module else { throw malformed("STACK_GLOBAL needs two strings") }
        push(.global(module: m, name: n))
    }

    /// Error at the current opcode.
    func malformed(_ reason: String) -> TorchCheckpointError {
        TorchCheckpointError.malformedPickle(file: file, offset: opcodeOffset, reason: reason)
    }

    // MARK: Bytes

    private mutating func readByte() throws(TorchCheckpointError) -> UInt8 {
        guard position < bytes.count else { throw truncated() }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func readBytes(_ count: Int) throws(TorchCheckpointError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - position else { throw truncated() }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    /// Little-endian unsigned integer of `count` ≤ 8 bytes; values above `Int.max` are malformed.
    private mutating func readUnsigned(_ count: Int) throws(TorchCheckpointError) -> Int {
        var value: UInt64 = 0
        for (shift, byte) in try readBytes(count).enumerated() { value |= UInt64(byte) << UInt64(8 * shift) }
        guard value <= UInt64(Int.max) else { throw malformed("length \(value) is too large") }
        return Int(value)
    }

    private mutating func readBigEndian(_ count: Int) throws(TorchCheckpointError) -> UInt64 {
        try readBytes(count).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// LONG1 payload: two's-complement little-endian, at most 8 bytes here.
    private mutating func readLong(count: Int) throws(TorchCheckpointError) -> Int {
        guard count <= 8 else { throw malformed("LONG1 of \(count) bytes does not fit 64 bits") }
        let payload = try readBytes(count)
        guard let last = payload.last else { return 0 }
        var value: UInt64 = last & 0x80 != 0 ? ~0 : 0
        for (shift, byte) in payload.enumerated() {
            value &= ~(0xFF << UInt64(8 * shift))
            value |= UInt64(byte) << UInt64(8 * shift)
        }
        return Int(Int64(bitPattern: value))
    }

    private mutating func readString(count: Int) throws(TorchCheckpointError) -> String {
        let payload = try readBytes(count)
        guard let string = String(validating: payload, as: UTF8.self) else { throw malformed("string is not valid UTF-8") }
        return string
    }

    private mutating func readLine() throws(TorchCheckpointError) -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw truncated() }
        let line = try readString(count: end - position)
        position += 1
        return line
    }

    private func truncated() -> TorchCheckpointError { malformed("unexpected end of data (truncated pickle)") }
}
