import Foundation

/// Results of a prediction run delivered lazily as an `AsyncSequence` (Ultralytics' `stream=True`): the predictor
/// runs on its own thread and stays at most `capacity` results ahead of the consumer, so a long video or a live
/// stream is processed as it is read and memory stays bounded. Ending the iteration early (break, task
/// cancellation, dropping the iterator) stops the predictor at its next result; an error ends the sequence by
/// being thrown from `next()`.
///
/// ```swift
/// for try await r in predictor.stream("clip.mp4") { print(r.verbose()) }
/// ```
public struct ResultsStream: AsyncSequence, Sendable {
    public typealias Element = Results
    let channel: Channel

    /// Starts `produce` on a new thread; it calls `emit` for each result (which blocks while `capacity` results wait
    /// and throws `CancellationError` once the consumer has gone).
    init(capacity: Int, produce: @escaping @Sendable (_ emit: (Results) throws -> Void) throws -> Void) {
        let channel = Channel(capacity: Swift.max(1, capacity))
        self.channel = channel
        let thread = Thread {
            do {
                try produce { try channel.push($0) }
                channel.finish(nil)
            } catch {
                channel.finish(error)
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    public func makeAsyncIterator() -> Iterator { Iterator(channel: channel) }

    /// Pulls results in order; the predictor stops when the last iterator is gone.
    public final class Iterator: AsyncIteratorProtocol {
        let channel: Channel
        init(channel: Channel) { self.channel = channel }
        deinit { channel.cancel() }

        public func next() async throws -> Results? {
            try await withTaskCancellationHandler {
                try await channel.pop()
            } onCancel: { [channel] in channel.cancel() }
        }
    }

    /// The bounded queue between the producer thread and the async consumer.
    final class Channel: @unchecked Sendable {
        private let lock = NSCondition()
        private var queue: [Results] = []
        private var done = false
        private var failure: Error?
        private var cancelled = false
        private var waiter: CheckedContinuation<Results?, Error>?
        let capacity: Int

        init(capacity: Int) { self.capacity = capacity }

        func push(_ r: Results) throws {
            lock.lock()
            while queue.count >= capacity && !cancelled { lock.wait() }
            if cancelled { lock.unlock(); throw CancellationError() }
            if let w = waiter {
                waiter = nil
                lock.unlock()
                w.resume(returning: r)
                return
            }
            queue.append(r)
            lock.unlock()
        }

        func finish(_ error: Error?) {
            lock.lock()
            done = true
            failure = cancelled ? nil : error
            let w = waiter
            waiter = nil
            let f = failure
            if w != nil { failure = nil }
            lock.unlock()
            if let w { if let f { w.resume(throwing: f) } else { w.resume(returning: nil) } }
        }

        func cancel() {
            lock.lock()
            cancelled = true
            let w = waiter
            waiter = nil
            lock.broadcast()
            lock.unlock()
            w?.resume(returning: nil)
        }

        func pop() async throws -> Results? {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Results?, Error>) in
                lock.lock()
                if !queue.isEmpty {
                    let r = queue.removeFirst()
                    lock.broadcast()
                    lock.unlock()
                    c.resume(returning: r)
                } else if done || cancelled {
                    let f = failure
                    failure = nil
                    lock.unlock()
                    if let f { c.resume(throwing: f) } else { c.resume(returning: nil) }
                } else {
                    waiter = c
                    lock.unlock()
                }
            }
        }
    }
}

extension Predictor {
    /// The results of `source` (as `run(source:)` takes it: files, folders, globs, videos, live streams) as a lazy
    /// `AsyncSequence`, computed on a background thread at most `capacity` results ahead of the consumer.
    public func stream(_ source: String, capacity: Int = 4) -> ResultsStream {
        nonisolated(unsafe) let predictor = self
        return ResultsStream(capacity: capacity) { emit in
            _ = try predictor.run(source: source) { try emit($0) }
        }
    }
}
