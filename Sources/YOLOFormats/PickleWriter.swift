import Foundation

/// A protocol-2 pickler that writes the opcodes Python's pickler (as driven by `torch.save`) writes for the same
/// objects: GLOBAL + NEWOBJ/REDUCE + BUILD for instances, batched SETITEMS/APPENDS, BINPUT after every memoized
/// object, BINGET for repeats (strings by value, globals by name, `PickleInstance`s by identity), and
/// BINPERSID storage references for tensors.
///
/// Tensors are not embedded: each one gets a new storage key ("0", "1", … in order of appearance) and is returned
/// in `storages`, for the zip writer to store as `data/<key>`.
public final class PickleWriter {
    /// The pickle stream written so far.
    private var bytes: [UInt8] = []
    /// The tensors referenced by the stream, by storage key, in order of appearance.
    private var storages: [(key: String, tensor: StoredTensor)] = []

    private var memoCount = 0
    private var stringMemo: [String: Int] = [:]
    private var globalMemo: [String: Int] = [:]
    private var instanceMemo: [ObjectIdentifier: Int] = [:]
    /// Python pickles at most this many items per APPENDS / SETITEMS.
    private static let batchSize = 1_000

    private init() {}

    /// Pickles `root` as a complete stream (PROTO 2 … STOP); returns it with the tensors it references, by key.
    public static func encode(_ root: PickleTerm) -> (pickle: Data, storages: [(key: String, tensor: StoredTensor)]) {
        let writer = PickleWriter()
        writer.bytes.append(contentsOf: [0x80, 2])  // PROTO 2
        writer.save(root)
        writer.bytes.append(0x2E)  // STOP
        return (Data(writer.bytes), writer.storages)
    }

    // MARK: - Values

    private func save(_ term: PickleTerm) {
        switch term {
        case .none: bytes.append(0x4E)
        case .bool(let b): bytes.append(b ? 0x88 : 0x89)
        case .int(let v): saveInt(v)
        case .float(let v):
            bytes.append(0x47)  // BINFLOAT, big-endian
            appendBigEndian(v.bitPattern)
        case .string(let s): saveString(s)
        case .bytes(let d): saveBytes(d)
        case .list(let items):
            bytes.append(0x5D)  // EMPTY_LIST
            memoize()
            batched(items.count, opcode: 0x65, single: 0x61) { save(items[$0]) }
        case .tuple(let items): saveTuple(items)
        case .dict(let items):
            bytes.append(0x7D)  // EMPTY_DICT
            memoize()
            saveItems(items)
        case .orderedDict(let items):
            saveGlobal(module: "collections", name: "OrderedDict")
            bytes.append(0x29)  // EMPTY_TUPLE
            bytes.append(0x52)  // REDUCE
            memoize()
            saveItems(items)
        case .set(let items):
            saveGlobal(module: "builtins", name: "set")
            saveTuple([.list(items)])
            bytes.append(0x52)
            memoize()
        case .global(let module, let name): saveGlobal(module: module, name: name)
        case .tensor(let t): saveTensor(t)
        case .parameter(let t, let requiresGrad):
            // Parameter.__reduce_ex__: _rebuild_parameter(data, requires_grad, OrderedDict()).
            saveGlobal(module: "torch._utils", name: "_rebuild_parameter")
            saveTuple([.tensor(t), .bool(requiresGrad), .orderedDict([])])
            bytes.append(0x52)
            memoize()
        case .instance(let object): saveInstance(object)
        }
    }

    private func saveInt(_ v: Int) {
        if v >= 0 && v <= 0xFF {
            bytes.append(0x4B)  // BININT1
            bytes.append(UInt8(v))
        } else if v >= 0 && v <= 0xFFFF {
            bytes.append(0x4D)  // BININT2
            appendLittleEndian(UInt64(v), count: 2)
        } else if v >= -0x8000_0000 && v <= 0x7FFF_FFFF {
            bytes.append(0x4A)  // BININT
            appendLittleEndian(UInt64(UInt32(bitPattern: Int32(v))), count: 4)
        } else {
            // LONG1: the shortest little-endian two's-complement encoding.
            var raw: [UInt8] = []
            var x = Int64(v)
            for _ in 0..<8 { raw.append(UInt8(truncatingIfNeeded: x)); x >>= 8 }
            while raw.count > 1 {
                let last = raw[raw.count - 1], prev = raw[raw.count - 2]
                if (last == 0 && prev & 0x80 == 0) || (last == 0xFF && prev & 0x80 != 0) { raw.removeLast() } else { break }
            }
            bytes.append(0x8A)
            bytes.append(UInt8(raw.count))
            bytes.append(contentsOf: raw)
        }
    }

    private func saveString(_ s: String) {
        if let index = stringMemo[s] { get(index); return }
        let utf8 = Array(s.utf8)
        bytes.append(0x58)  // BINUNICODE
        appendLittleEndian(UInt64(utf8.count), count: 4)
        bytes.append(contentsOf: utf8)
        stringMemo[s] = memoize()
    }

    /// Protocol 2 has no bytes opcode: Python writes `_codecs.encode(latin1_text, 'latin1')` (or `bytes()` when empty).
    private func saveBytes(_ d: Data) {
        if d.isEmpty {
            saveGlobal(module: "builtins", name: "bytes")
            bytes.append(0x29)
        } else {
            saveGlobal(module: "_codecs", name: "encode")
            let text = String(String.UnicodeScalarView(d.map { Unicode.Scalar($0) }))
            saveTuple([.string(text), .string("latin1")])
        }
        bytes.append(0x52)
        memoize()
    }

    private func saveTuple(_ items: [PickleTerm]) {
        if items.isEmpty { bytes.append(0x29); return }  // EMPTY_TUPLE, not memoized
        if items.count <= 3 {
            for item in items { save(item) }
            bytes.append([0x85, 0x86, 0x87][items.count - 1])  // TUPLE1/2/3
        } else {
            bytes.append(0x28)  // MARK
            for item in items { save(item) }
            bytes.append(0x74)  // TUPLE
        }
        memoize()
    }

    private func saveItems(_ items: [(PickleTerm, PickleTerm)]) {
        batched(items.count, opcode: 0x75, single: 0x73) { i in
            save(items[i].0)
            save(items[i].1)
        }
    }

    /// Writes `count` elements in batches: MARK … `opcode` for two or more, the element then `single` for one.
    private func batched(_ count: Int, opcode: UInt8, single: UInt8, _ element: (Int) -> Void) {
        var start = 0
        while start < count {
            let end = min(start + Self.batchSize, count)
            if end - start > 1 {
                bytes.append(0x28)
                for i in start..<end { element(i) }
                bytes.append(opcode)
            } else {
                element(start)
                bytes.append(single)
            }
            start = end
        }
    }

    // MARK: - Globals, instances and tensors

    /// GLOBAL `module name`, with Python 3 module names mapped back to Python 2 ones as protocol 2 requires.
    private func saveGlobal(module: String, name: String) {
        let key = module + "\n" + name
        if let index = globalMemo[key] { get(index); return }
        let written = module == "builtins" ? "__builtin__" : (module == "copyreg" ? "copy_reg" : module)
        bytes.append(0x63)
        bytes.append(contentsOf: Array(written.utf8) + [0x0A] + Array(name.utf8) + [0x0A])
        globalMemo[key] = memoize()
    }

    private func saveInstance(_ object: PickleInstance) {
        let id = ObjectIdentifier(object)
        if let index = instanceMemo[id] { get(index); return }
        saveGlobal(module: object.module, name: object.name)
        switch object.construction {
        case .newObject(let args):
            saveTuple(args)
            bytes.append(0x81)  // NEWOBJ
        case .call(let args):
            saveTuple(args)
            bytes.append(0x52)  // REDUCE
        }
        instanceMemo[id] = memoize()
        if let state = object.state {
            save(state)
            bytes.append(0x62)  // BUILD
        }
    }

    /// Tensor.__reduce_ex__: `_rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())` with the storage
    /// as persistent id `('storage', torch.<Type>Storage, key, 'cpu', numel)`.
    private func saveTensor(_ t: StoredTensor) {
        let key = String(storages.count)
        storages.append((key, t))
        saveGlobal(module: "torch._utils", name: "_rebuild_tensor_v2")
        bytes.append(0x28)  // MARK
        saveTuple([.string("storage"), .global(module: "torch", name: t.dtype.torchStorageName),
                   .string(key), .string("cpu"), .int(t.count)])
        bytes.append(0x51)  // BINPERSID
        saveInt(0)
        saveTuple(t.shape.map { .int($0) })
        saveTuple(Self.contiguousStrides(t.shape).map { .int($0) })
        bytes.append(0x89)  // requires_grad False
        save(.orderedDict([]))
        bytes.append(0x74)  // TUPLE
        memoize()
        bytes.append(0x52)
        memoize()
    }

    /// Row-major strides as torch computes them (a zero-size dimension counts as 1).
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for d in shape.indices.reversed() {
            strides[d] = step
            step *= max(shape[d], 1)
        }
        return strides
    }

    // MARK: - Memo and raw bytes

    /// Stores the top of the stack in the next memo slot (BINPUT / LONG_BINPUT) and returns the slot.
    @discardableResult
    private func memoize() -> Int {
        let index = memoCount
        memoCount += 1
        if index < 256 {
            bytes.append(0x71)
            bytes.append(UInt8(index))
        } else {
            bytes.append(0x72)
            appendLittleEndian(UInt64(index), count: 4)
        }
        return index
    }

    /// Pushes a memoized object (BINGET / LONG_BINGET).
    private func get(_ index: Int) {
        if index < 256 {
            bytes.append(0x68)
            bytes.append(UInt8(index))
        } else {
            bytes.append(0x6A)
            appendLittleEndian(UInt64(index), count: 4)
        }
    }

    private func appendLittleEndian(_ v: UInt64, count: Int) {
        for i in 0..<count { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    private func appendBigEndian(_ v: UInt64) {
        for i in (0..<8).reversed() { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }
}

extension TensorDType {
    /// The legacy torch storage class that `torch.save` names in a storage's persistent id (e.g. "HalfStorage").
    public var torchStorageName: String {
        switch self {
        case .float16: return "HalfStorage"
        case .bfloat16: return "BFloat16Storage"
        case .float32: return "FloatStorage"
        case .float64: return "DoubleStorage"
        case .int64: return "LongStorage"
        case .int32: return "IntStorage"
        case .int16: return "ShortStorage"
        case .int8: return "CharStorage"
        case .uint8: return "ByteStorage"
        case .bool: return "BoolStorage"
        }
    }
}
