import Dispatch
import Foundation
import YOLOData

/// Decodes image files one step ahead on a background queue, so decoding overlaps the network.
/// Holds at most two decoded images.
final class ImagePrefetcher: @unchecked Sendable {
    private final class Slot: @unchecked Sendable {
        var value: Result<Image, Error> = .failure(PredictError.unsupported("not decoded"))
        let done = DispatchSemaphore(value: 0)
    }
    private let paths: [String]
    private let queue = DispatchQueue(label: "yolo.decode", qos: .userInitiated)
    private var slots: [Int: Slot] = [:]

    init(_ paths: [String]) { self.paths = paths }

    private func start(_ i: Int) {
        // Videos are streamed by their own reader, never read whole as an image.
        guard i < paths.count, slots[i] == nil, !PredictSource.isVideo(paths[i]) else { return }
        let slot = Slot()
        slots[i] = slot
        let path = paths[i]
        queue.async {
            slot.value = Result { try ImageIO.read(URL(fileURLWithPath: path)) }
            slot.done.signal()
        }
    }

    /// The decoded image `i` (or its error); starts decoding `i + 1`. `i` must be an image path.
    func take(_ i: Int) -> Result<Image, Error> {
        start(i)
        start(i + 1)
        let slot = slots.removeValue(forKey: i)!
        slot.done.wait()
        return slot.value
    }
}
