import Foundation

extension PickleMachine {
    /// Executes one opcode (everything except STOP).
    mutating func execute(_ op: UInt8) throws {
        switch op {
        // Framing and protocol.
        case 0x80: // PROTO
            let proto = try u8()
            guard proto <= 5 else { throw fail("unsupported pickle protocol \(proto)") }
        case 0x95: _ = try uint(8) // FRAME (frames are just a read-ahead hint)
        // Marks and stack manipulation.
        case 0x28: marks.append(stack.count) // MARK
        case 0x30: _ = try pop() // POP
        case 0x31: _ = try popMark() // POP_MARK
        case 0x32: push(try top()) // DUP
        // Constants and numbers.
        case 0x4E: push(.none) // NONE
        case 0x88: push(.bool(true)) // NEWTRUE
        case 0x89: push(.bool(false)) // NEWFALSE
        case 0x4A: push(.int(Int(Int32(truncatingIfNeeded: try uint(4))))) // BININT
        case 0x4B: push(.int(Int(try u8()))) // BININT1
        case 0x4D: push(.int(Int(try uint(2)))) // BININT2
        case 0x8A: push(try longValue(try take(try length(1)))) // LONG1
        case 0x8B: push(try longValue(try take(try length(4)))) // LONG4
        case 0x47: push(.float(Double(bitPattern: try bigEndian64()))) // BINFLOAT
        case 0x49: push(try textInt(try line())) // INT
        case 0x4C: push(try textInt(try line())) // LONG
        case 0x46: // FLOAT
            let text = try line()
            guard let v = Double(text) else { throw fail("bad FLOAT literal '\(text)'") }
            push(.float(v))
        // Strings and bytes.
        case 0x58: push(.string(try utf8(try length(4)))) // BINUNICODE
        case 0x8C: push(.string(try utf8(try length(1)))) // SHORT_BINUNICODE
        case 0x8D: push(.string(try utf8(try length(8)))) // BINUNICODE8
        case 0x42: push(.bytes(Data(try take(try length(4))))) // BINBYTES
        case 0x43: push(.bytes(Data(try take(try length(1))))) // SHORT_BINBYTES
        case 0x8E: push(.bytes(Data(try take(try length(8))))) // BINBYTES8
        case 0x96: push(.bytes(Data(try take(try length(8))))) // BYTEARRAY8
        case 0x54: push(.string(String(decoding: try take(try length(4)), as: UTF8.self))) // BINSTRING (py2 str)
        case 0x55: push(.string(String(decoding: try take(try length(1)), as: UTF8.self))) // SHORT_BINSTRING
        case 0x53: push(.string(try textString(try line()))) // STRING
        case 0x56: push(.string(try rawUnicodeEscapeLine())) // UNICODE
        case 0x97, 0x98: throw fail("out-of-band pickle buffers are not supported")
        // Containers.
        case 0x7D: push(.dict(DictBox())) // EMPTY_DICT
        case 0x5D: push(.list(ListBox())) // EMPTY_LIST
        case 0x29: push(PickleNode.tuple(TupleBox([]))) // EMPTY_TUPLE
        case 0x8F: push(.set(SetBox())) // EMPTY_SET
        case 0x85: push(.tuple(TupleBox([try pop()]))) // TUPLE1
        case 0x86: let b = try pop(); let a = try pop(); push(.tuple(TupleBox([a, b]))) // TUPLE2
        case 0x87: let c = try pop(); let b = try pop(); let a = try pop(); push(.tuple(TupleBox([a, b, c]))) // TUPLE3
        case 0x74: push(.tuple(TupleBox(try popMark()))) // TUPLE
        case 0x6C: let l = ListBox(); l.items = try popMark(); push(.list(l)) // LIST
        case 0x64: // DICT
            let d = DictBox(); d.items = try pairs(try popMark()); push(.dict(d))
        case 0x91: // FROZENSET
            let s = SetBox(); s.items = try popMark(); s.frozen = true; push(.set(s))
        case 0x61: let v = try pop(); try append(to: try top(), [v]) // APPEND
        case 0x65: let items = try popMark(); try append(to: try top(), items) // APPENDS
        case 0x73: let v = try pop(); let k = try pop(); try setItems(on: try top(), [(k, v)]) // SETITEM
        case 0x75: let items = try pairs(try popMark()); try setItems(on: try top(), items) // SETITEMS
        case 0x90: // ADDITEMS
            let items = try popMark()
            guard case .set(let s) = try top() else { throw fail("ADDITEMS on a non-set") }
            s.items.append(contentsOf: items)
        // Memo.
        case 0x71: try memoPut(Int(try u8())) // BINPUT
        case 0x72: try memoPut(Int(try uint(4))) // LONG_BINPUT
        case 0x94: try memoPut(memo.count) // MEMOIZE
        case 0x70: // PUT
            let text = try line()
            guard let i = Int(text) else { throw fail("bad PUT index '\(text)'") }
            try memoPut(i)
        case 0x68: push(try memoGet(Int(try u8()))) // BINGET
        case 0x6A: push(try memoGet(Int(try uint(4)))) // LONG_BINGET
        case 0x67: // GET
            let text = try line()
            guard let i = Int(text) else { throw fail("bad GET index '\(text)'") }
            push(try memoGet(i))
        // Globals and object construction.
        case 0x63: // GLOBAL
            let module = try line(); let name = try line()
            push(global(module, name))
        case 0x93: // STACK_GLOBAL
            let name = try pop(); let module = try pop()
            guard case .value(.string(let n)) = name, case .value(.string(let m)) = module else {
                throw fail("STACK_GLOBAL expects two strings")
            }
            push(global(m, n))
        case 0x52: // REDUCE
            let args = try pop(); let callable = try pop()
            guard case .tuple(let argBox) = args else { throw fail("REDUCE arguments are not a tuple") }
            let items = argBox.items
            push(try call(callable, items))
        case 0x81: // NEWOBJ
            let args = try pop(); let cls = try pop()
            guard case .tuple(let argBox) = args else { throw fail("NEWOBJ arguments are not a tuple") }
            let items = argBox.items
            push(try call(cls, items))
        case 0x92: // NEWOBJ_EX
            let kwargs = try pop(); let args = try pop(); let cls = try pop()
            guard case .tuple(let argBox) = args else { throw fail("NEWOBJ_EX arguments are not a tuple") }
            let items = argBox.items
            var kw: [(PickleNode, PickleNode)] = []
            if case .dict(let d) = kwargs { kw = d.items }
            push(try call(cls, items, kwargs: kw))
        case 0x6F: // OBJ
            var items = try popMark()
            guard !items.isEmpty else { throw fail("OBJ without a class") }
            let cls = items.removeFirst()
            push(try call(cls, items))
        case 0x69: // INST
            let module = try line(); let name = try line()
            push(try call(.value(global(module, name)), try popMark()))
        case 0x62: // BUILD
            let state = try pop()
            try build(try top(), state: state)
        case 0x51: // BINPERSID
            push(try persistent(try pop()))
        case 0x50: // PERSID
            push(try persistent(.value(.string(try line()))))
        case 0x82, 0x83, 0x84:
            throw fail("extension registry opcodes are not supported")
        default:
            throw fail(String(format: "unknown opcode 0x%02X", op))
        }
    }

    private mutating func bigEndian64() throws -> UInt64 {
        var v: UInt64 = 0
        for b in try take(8) { v = v << 8 | UInt64(b) }
        return v
    }

    /// Decodes a little-endian two's-complement LONG1/LONG4 payload.
    private func longValue(_ raw: ArraySlice<UInt8>) throws -> PickleValue {
        if raw.isEmpty { return .int(0) }
        guard raw.count <= 8 else {
            // Larger than 64 bits: keep the raw bytes, inert.
            return .object(PickleObject(module: "builtins", name: "int", args: [.bytes(Data(raw))]))
        }
        var v: UInt64 = 0
        for (i, b) in raw.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        let bits = 8 * raw.count
        if bits < 64, raw.last.map({ $0 & 0x80 != 0 }) == true { v |= ~UInt64(0) << UInt64(bits) }
        return .int(Int(Int64(bitPattern: v)))
    }

    private func textInt(_ text: String) throws -> PickleValue {
        var t = text
        if t.hasSuffix("L") { t.removeLast() }
        if t == "00" { return .bool(false) }
        if t == "01" { return .bool(true) }
        if let v = Int(t) { return .int(v) }
        let digits = t.hasPrefix("-") ? t.dropFirst() : Substring(t)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else {
            throw fail("bad INT literal '\(text)'")
        }
        // Larger than 64 bits: keep the decimal text, inert.
        return .object(PickleObject(module: "builtins", name: "int", args: [.string(t)]))
    }

    private func textString(_ text: String) throws -> String {
        guard text.count >= 2, let q = text.first, q == "'" || q == "\"", text.last == q else {
            throw fail("bad STRING literal")
        }
        return String(text.dropFirst().dropLast())
    }

    private func pairs(_ items: [PickleNode]) throws -> [(PickleNode, PickleNode)] {
        guard items.count % 2 == 0 else { throw fail("odd number of items for a dict") }
        return stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) }
    }

    private func append(to target: PickleNode, _ items: [PickleNode]) throws {
        switch target {
        case .list(let l): l.items.append(contentsOf: items)
        case .object(let o): o.listItems.append(contentsOf: items)
        case .set(let s): s.items.append(contentsOf: items)
        default: throw fail("APPEND to a non-list")
        }
    }

    private func setItems(on target: PickleNode, _ items: [(PickleNode, PickleNode)]) throws {
        switch target {
        case .dict(let d): d.items.append(contentsOf: items)
        case .object(let o): o.dictItems.append(contentsOf: items)
        default: throw fail("SETITEM on a non-dict")
        }
    }

    private func build(_ target: PickleNode, state: PickleNode) throws {
        switch target {
        case .object(let o):
            o.state = state
        case .dict(let d):
            if case .dict(let s) = state { d.items.append(contentsOf: s.items) }
        case .tensor, .list, .set, .value:
            break // e.g. tensor metadata state; ignored
        default:
            throw fail("BUILD on an unsupported value")
        }
    }

    private func persistent(_ pid: PickleNode) throws -> PickleNode {
        guard let persistentLoad else { throw fail("persistent id found but no persistent loader is available") }
        var builder = PickleTreeBuilder(fileName: fileName) { _, _ in
            throw CheckpointError.malformedPickle(file: self.fileName, offset: self.opStart, detail: "tensor inside a persistent id")
        }
        return try persistentLoad(try builder.convert(pid, path: "persistent_id"))
    }
}
