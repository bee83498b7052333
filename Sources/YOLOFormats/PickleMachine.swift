import Foundation

/// A non-executing pickle decoder (protocols 0–5 as used by `torch.save` and `pickle.dumps`).
///
/// Globals are recorded, never imported. Calls (REDUCE / NEWOBJ / NEWOBJ_EX / OBJ / INST) of unknown callables become
/// inert `ObjectBox` records; a small set of known callables (OrderedDict, set, torch tensor rebuilders, ...) is
/// interpreted so the decoded tree has natural dicts, sets and tensors.
struct PickleMachine {
    /// Maps a persistent id (already converted to a value) to a node, e.g. a torch storage reference.
    typealias PersistentLoad = (PickleValue) throws -> PickleNode

    let bytes: [UInt8]
    let fileName: String
    let persistentLoad: PersistentLoad?
    var pos = 0
    var stack: [PickleNode] = []
    var marks: [Int] = []
    var memo: [Int: PickleNode] = [:]
    /// Offset of the opcode being executed (for error messages).
    var opStart = 0

    init(bytes: [UInt8], fileName: String, persistentLoad: PersistentLoad? = nil) {
        self.bytes = bytes
        self.fileName = fileName
        self.persistentLoad = persistentLoad
    }

    func fail(_ detail: String) -> CheckpointError {
        CheckpointError.malformedPickle(file: fileName, offset: opStart, detail: detail)
    }

    // MARK: - Reading the stream

    mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, pos <= bytes.count - n else {
            throw fail("stream truncated: needed \(n) bytes, \(bytes.count - pos) left")
        }
        defer { pos += n }
        return bytes[pos..<(pos + n)]
    }

    mutating func u8() throws -> UInt8 { try take(1).first ?? 0 }

    mutating func uint(_ n: Int) throws -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in try take(n).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }

    mutating func length(_ n: Int) throws -> Int {
        let v = try uint(n)
        guard v <= UInt64(bytes.count - pos) else {
            throw fail("stream truncated: length \(v) exceeds the \(bytes.count - pos) bytes left")
        }
        return Int(v)
    }

    mutating func lineBytes() throws -> ArraySlice<UInt8> {
        guard let end = bytes[pos...].firstIndex(of: 0x0A) else { throw fail("stream truncated: missing newline") }
        var raw = bytes[pos..<end]
        pos = end + 1
        if raw.last == 0x0D { raw = raw.dropLast() }
        return raw
    }

    mutating func line() throws -> String {
        String(decoding: try lineBytes(), as: UTF8.self)
    }

    /// Decodes protocol-0 UNICODE text: latin-1 bytes with `\uXXXX` / `\UXXXXXXXX` escapes.
    mutating func rawUnicodeEscapeLine() throws -> String {
        let raw = Array(try lineBytes())
        var scalars = String.UnicodeScalarView()
        var i = 0
        while i < raw.count {
            if raw[i] == 0x5C, i + 1 < raw.count, raw[i + 1] == 0x75 || raw[i + 1] == 0x55 {
                let width = raw[i + 1] == 0x75 ? 4 : 8
                if i + 2 + width <= raw.count,
                   let code = UInt32(String(decoding: raw[(i + 2)..<(i + 2 + width)], as: UTF8.self), radix: 16),
                   let scalar = Unicode.Scalar(code) {
                    scalars.append(scalar)
                    i += 2 + width
                    continue
                }
            }
            scalars.append(Unicode.Scalar(raw[i]))
            i += 1
        }
        return String(scalars)
    }

    mutating func utf8(_ n: Int) throws -> String {
        let raw = try take(n)
        guard let s = String(validating: raw, as: UTF8.self) else {
            return String(decoding: raw, as: UTF8.self)
        }
        return s
    }

    // MARK: - Stack helpers

    mutating func push(_ node: PickleNode) { stack.append(node) }
    mutating func push(_ value: PickleValue) { stack.append(.value(value)) }

    mutating func pop() throws -> PickleNode {
        if let floor = marks.last, stack.count <= floor { throw fail("stack underflow (popping across a MARK)") }
        guard let top = stack.popLast() else { throw fail("stack underflow") }
        return top
    }

    func top() throws -> PickleNode {
        if let floor = marks.last, stack.count <= floor { throw fail("stack underflow (reading across a MARK)") }
        guard let top = stack.last else { throw fail("stack underflow") }
        return top
    }

    /// Pops everything above the most recent MARK, and the mark itself.
    mutating func popMark() throws -> [PickleNode] {
        guard let floor = marks.popLast() else { throw fail("MARK expected but none is open") }
        guard floor <= stack.count else { throw fail("stack underflow below MARK") }
        let items = Array(stack[floor...])
        stack.removeSubrange(floor...)
        return items
    }

    mutating func memoGet(_ index: Int) throws -> PickleNode {
        guard let node = memo[index] else { throw fail("memo index \(index) is not defined") }
        return node
    }

    mutating func memoPut(_ index: Int) throws {
        memo[index] = try top()
    }

    /// Empties every container the machine still holds (stack, memo) and `extra`, iteratively; see
    /// `PickleNode.dismantle`. Call once the decoded graph has been converted (or decoding failed).
    mutating func dismantle(_ extra: [PickleNode] = []) {
        PickleNode.dismantle(stack + Array(memo.values) + extra)
        stack = []
        memo = [:]
    }

    // MARK: - Running

    /// Executes the stream up to STOP and returns the top-level node.
    mutating func run() throws -> PickleNode {
        while true {
            opStart = pos
            guard pos < bytes.count else { throw fail("stream truncated: no STOP opcode") }
            let op = bytes[pos]
            pos += 1
            if op == 0x2E { // STOP
                let result = try pop()
                return result
            }
            try execute(op)
        }
    }

    /// Resolves a global reference for GLOBAL / STACK_GLOBAL / INST, mapping Python 2 names to Python 3.
    func global(_ module: String, _ name: String) -> PickleValue {
        let fixed = module == "__builtin__" ? "builtins" : (module == "copy_reg" ? "copyreg" : module)
        return .global(module: fixed, name: name)
    }

    /// Applies a callable to arguments (REDUCE / NEWOBJ). Nothing is executed: known callables are interpreted,
    /// everything else becomes an inert object record.
    mutating func call(_ callable: PickleNode, _ args: [PickleNode], kwargs: [(PickleNode, PickleNode)] = []) throws -> PickleNode {
        guard case .value(.global(let module, let name)) = callable else {
            if case .object(let box) = callable {
                return .object(ObjectBox(module: box.module, name: box.name + "()", args: args))
            }
            throw fail("cannot call a non-global value")
        }
        if let known = try callKnown(module: module, name: name, args: args) { return known }
        let box = ObjectBox(module: module, name: name, args: args)
        box.kwargs = kwargs
        return .object(box)
    }
}
