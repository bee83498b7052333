import Foundation

/// One object of a pose label file.
public struct PoseLabel: Sendable, Equatable {
    public var cls: Int
    /// Normalised centre x, centre y, width, height.
    public var box: SIMD4<Float>
    /// K points: normalised x, y and visibility (raw for D = 3; for D = 2: 1, or 0 when x < 0 or y < 0).
    public var keypoints: [SIMD3<Float>]

    public init(cls: Int, box: SIMD4<Float>, keypoints: [SIMD3<Float>]) {
        self.cls = cls
        self.box = box
        self.keypoints = keypoints
    }
}

/// A valid image of a split and its labels.
public struct LabeledImage: Sendable {
    public var url: URL
    /// (height, width) after the EXIF orientation.
    public var shape: (h: Int, w: Int)
    public var labels: [PoseLabel]

    public init(url: URL, shape: (h: Int, w: Int), labels: [PoseLabel]) {
        self.url = url
        self.shape = shape
        self.labels = labels
    }
}

/// The result of scanning a split: the valid images in sorted path order, the per-image counters and the messages
/// (one per corrupt image, duplicate removal, …), in image order.
public struct DatasetScan: Sendable {
    public var images: [LabeledImage]
    /// Images with a label file (including empty and corrupt-label ones).
    public var found: Int
    /// Images without a label file.
    public var missing: Int
    /// Images whose label file has no rows.
    public var empty: Int
    /// Images dropped because the image or its labels failed a check.
    public var corrupt: Int
    /// All image files of the split.
    public var total: Int
    public var messages: [String]
    /// Where the cache was read from or written to (nil if it could not be saved).
    public var cacheURL: URL?
    /// True when the result came from a valid cache without rescanning.
    public var fromCache: Bool

    public init(images: [LabeledImage], found: Int, missing: Int, empty: Int, corrupt: Int, total: Int,
                messages: [String], cacheURL: URL? = nil, fromCache: Bool = false) {
        self.images = images
        self.found = found
        self.missing = missing
        self.empty = empty
        self.corrupt = corrupt
        self.total = total
        self.messages = messages
        self.cacheURL = cacheURL
        self.fromCache = fromCache
    }

    /// "N images, B backgrounds, C corrupt" as in the reference's scan line.
    public var summary: String {
        "\(found) images, \(missing + empty) backgrounds, \(corrupt) corrupt"
    }
}

/// Scan-time failures that stop the run.
public enum DatasetError: Error, CustomStringConvertible, LocalizedError {
    case notFound(String)
    case noImages(String)
    case noValidImages(cache: String, messages: [String])

    public var description: String {
        switch self {
        case .notFound(let p): return "\(p) does not exist"
        case .noImages(let p): return "No images found in \(p). Supported formats are: \(imageSuffixes.sorted().joined(separator: ", "))"
        case .noValidImages(let c, let m): return "No valid images found in \(c).\n  " + m.joined(separator: "\n  ")
        }
    }
    public var errorDescription: String? { description }
}

/// Lower-case image file suffixes a dataset may contain.
public let imageSuffixes: Set<String> = ["avif", "bmp", "dng", "heic", "heif", "jp2", "jpeg", "jpg", "mpo", "png",
                                         "tif", "tiff", "webp"]
