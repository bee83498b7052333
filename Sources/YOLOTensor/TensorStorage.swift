import CKernels
import Foundation

/// A 64-byte aligned float buffer. Buffers are recycled through a size-keyed pool, because a forward pass
/// allocates the same activation sizes every time and fresh large allocations cost page faults.
public final class TensorStorage: @unchecked Sendable {
    /// Base address of `count` floats.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of floats.
    public let count: Int
    /// Floats the buffer can hold (at least `count`: the pool may hand out a slightly larger buffer).
    let capacity: Int

    /// The storage this one is a window of (kept alive by it), or nil when it owns its buffer.
    private let parent: TensorStorage?

    /// Uninitialized storage of `count` floats.
    public init(count: Int) {
        self.count = count
        (pointer, capacity) = BufferPool.shared.take(count)
        parent = nil
        if TensorStorage.poison { pointer.initialize(repeating: .nan, count: count) }
    }

    /// Floats `[offset, offset + count)` of `parent`, shared: writes through either are seen by both.
    init(window parent: TensorStorage, offset: Int, count: Int) {
        precondition(offset >= 0 && count >= 0 && offset + count <= parent.count,
                     "tensor storage window: [\(offset), \(offset + count)) of \(parent.count) floats")
        self.parent = parent
        self.count = count
        pointer = parent.pointer + offset
        capacity = count
    }

    /// `YOLO_POISON_TENSORS=1` fills every new buffer with NaN, so a read of memory no op has written shows up
    /// as NaN in the results (a debugging aid; off by default).
    static let poison = ProcessInfo.processInfo.environment["YOLO_POISON_TENSORS"] == "1"

    deinit { if parent == nil { BufferPool.shared.give(pointer, capacity) } }
}

/// Free lists of aligned buffers keyed by capacity (in floats).
///
/// A request takes the smallest pooled buffer of at least its size and at most 1.5× it, or at most what a fresh
/// allocation would round it up to (best fit), so an image of a new letterbox shape reuses the previous shape's
/// activation buffers instead of faulting in fresh pages; buffers from 2 MB up are transparent huge pages
/// (`yk_buffer_alloc`), so what is fresh costs one fault per 2 MB. Measured on yolov8n-pose predict at 640 (AMD EPYC
/// Zen 3): exact-size pooling took 54.8k page faults for the 8 coco8-pose images (4 shapes) twice, best fit 34.4k,
/// against 20.5k for one image 16 times.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    /// The capacities that have at least one free buffer, ascending.
    private var sizes: [Int] = []
    private var pooledBytes = 0
    private let lock = NSLock()
    /// Buffers beyond this many bytes are returned to the system instead of pooled: 512 MB (`YOLO_POOL_MB`
    /// overrides). Measured on n-pose training at 640, batch 4 (AMD EPYC Zen 3, 2 threads): 1 GB pooled gave the
    /// same speed and 7% more peak memory; none cost ~12% speed for 5% less memory.
    private let limitBytes = (Int(ProcessInfo.processInfo.environment["YOLO_POOL_MB"] ?? "") ?? 512) << 20

    /// A buffer of at least `count` floats and its capacity.
    func take(_ count: Int) -> (UnsafeMutablePointer<Float>, Int) {
        let count = max(count, 1)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: 4)
        precondition(!overflow, "tensor storage: \(count) floats overflow the address space")
        lock.lock()
        let i = lowerBound(count)
        if i < sizes.count, sizes[i] <= max(count + count / 2, yk_buffer_capacity(bytes) / 4), var list = free[sizes[i]], let p = list.popLast() {
            let capacity = sizes[i]
            if list.isEmpty {
                free[capacity] = nil
                sizes.remove(at: i)
            } else {
                free[capacity] = list
            }
            pooledBytes -= capacity * 4
            lock.unlock()
            return (p, capacity)
        }
        lock.unlock()
        var capacity = 0
        guard let raw = yk_buffer_alloc(bytes, &capacity) else { fatalError("tensor storage: cannot allocate \(count) floats") }
        return (raw.bindMemory(to: Float.self, capacity: capacity / 4), capacity / 4)
    }

    /// Frees every pooled buffer.
    func drain() {
        lock.lock()
        let lists = free
        free = [:]
        sizes = []
        pooledBytes = 0
        lock.unlock()
        for (_, list) in lists { for p in list { yk_buffer_free(p) } }
    }

    func give(_ p: UnsafeMutablePointer<Float>, _ capacity: Int) {
        lock.lock()
        if pooledBytes + capacity * 4 <= limitBytes {
            if free[capacity] == nil { sizes.insert(capacity, at: lowerBound(capacity)) }
            free[capacity, default: []].append(p)
            pooledBytes += capacity * 4
            lock.unlock()
            return
        }
        lock.unlock()
        yk_buffer_free(p)
    }

    /// Index of the first pooled capacity ≥ `count`.
    private func lowerBound(_ count: Int) -> Int {
        var lo = 0, hi = sizes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sizes[mid] < count { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
