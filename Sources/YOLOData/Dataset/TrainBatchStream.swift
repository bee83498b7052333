import Foundation

/// The batches of one epoch, prepared on background threads while the trainer works.
///
/// Each worker takes the next batch number, plans it (in order, under the stream's lock: planning advances the
/// loader's mosaic buffer), then renders its pixels without the lock. Workers stay at most `workers × depth` batches
/// ahead of the consumer (a bounded queue). `batch(i)` returns batches in order.
public final class TrainBatchStream: @unchecked Sendable {
    public let epoch: Int
    /// The dataset indices of each batch.
    public let batches: [[Int]]
    private let loader: TrainLoader
    private let lock = NSCondition()
    private var nextToPlan = 0
    private var consumed = 0
    private var ready: [Int: TrainBatch] = [:]
    private var cancelled = false
    private var running = 0
    private let ahead: Int

    init(loader: TrainLoader, epoch: Int, batches: [[Int]], workers: Int, depth: Int) {
        self.loader = loader
        self.epoch = epoch
        self.batches = batches
        ahead = max(1, workers * depth)
        running = max(1, workers)
        for w in 0..<running {
            let t = Thread { [self] in work() }
            t.name = "yolo.train.loader.\(w)"
            t.stackSize = 8 << 20
            t.start()
        }
    }

    public var count: Int { batches.count }

    private func work() {
        while true {
            lock.lock()
            while !cancelled && nextToPlan < batches.count && nextToPlan >= consumed + ahead { lock.wait() }
            if cancelled || nextToPlan >= batches.count {
                running -= 1
                lock.broadcast()
                lock.unlock()
                return
            }
            let k = nextToPlan
            nextToPlan += 1
            let plans = loader.plan(batches[k], epoch: epoch, batchIndex: k)
            lock.unlock()
            let batch = loader.render(plans)
            lock.lock()
            ready[k] = batch
            lock.broadcast()
            lock.unlock()
        }
    }

    /// Batch `i` (blocks until it is ready). Each batch is taken once, in order.
    public func batch(_ i: Int) -> TrainBatch {
        precondition(i >= 0 && i < batches.count, "TrainBatchStream: batch \(i) out of range 0..<\(batches.count)")
        lock.lock()
        defer { lock.unlock() }
        while ready[i] == nil {
            precondition(!(cancelled && running == 0), "TrainBatchStream: batch \(i) requested after cancel()")
            lock.wait()
        }
        consumed = max(consumed, i + 1)
        lock.broadcast()
        return ready.removeValue(forKey: i)!
    }

    /// Stops planning further batches and waits until the workers have finished the ones they are rendering.
    public func cancel() {
        lock.lock()
        cancelled = true
        lock.broadcast()
        while running > 0 { lock.wait() }
        ready.removeAll()
        lock.unlock()
    }

    deinit {
        lock.lock()
        cancelled = true
        lock.broadcast()
        lock.unlock()
    }
}
