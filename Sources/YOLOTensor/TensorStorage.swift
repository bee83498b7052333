import Foundation

/// A 64-byte aligned float buffer. Buffers are recycled through a size-keyed pool, because a forward pass
/// allocates the same activation sizes every time and fresh large allocations cost page faults.
public final class TensorStorage: @unchecked Sendable {
    /// Base address of `count` floats.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of floats.
    public let count: Int

    /// Uninitialized storage of `count` floats.
    public init(count: Int) {
        self.count = count
        self.pointer = BufferPool.shared.take(count)
        if TensorStorage.poison { pointer.initialize(repeating: .nan, count: count) }
    }

    /// `YOLO_POISON_TENSORS=1` fills every new buffer with NaN, so a read of memory no op has written shows up
    /// as NaN in the results (a debugging aid; off by default).
    static let poison = ProcessInfo.processInfo.environment["YOLO_POISON_TENSORS"] == "1"

    deinit { BufferPool.shared.give(pointer, count) }
}

/// Free lists of aligned buffers keyed by element count.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var pooledBytes = 0
    private let lock = NSLock()
    /// Buffers beyond this many bytes are returned to the system instead of pooled: 512 MB (`YOLO_POOL_MB`
    /// overrides). Measured on n-pose training at 640, batch 4 (AMD EPYC Zen 3, 2 threads): 1 GB pooled gave the
    /// same speed and 7% more peak memory; none cost ~12% speed for 5% less memory.
    private let limitBytes = (Int(ProcessInfo.processInfo.environment["YOLO_POOL_MB"] ?? "") ?? 512) << 20

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        lock.lock()
        if var list = free[count], let p = list.popLast() {
            free[count] = list
            pooledBytes -= count * 4
            lock.unlock()
            return p
        }
        lock.unlock()
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Frees every pooled buffer.
    func drain() {
        lock.lock()
        let lists = free
        free = [:]
        pooledBytes = 0
        lock.unlock()
        for (_, list) in lists { for p in list { p.deallocate() } }
    }

    func give(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
        lock.lock()
        if pooledBytes + count * 4 <= limitBytes {
            free[count, default: []].append(p)
            pooledBytes += count * 4
            lock.unlock()
            return
        }
        lock.unlock()
        p.deallocate()
    }
}
