import Foundation

/// The `cache` training argument.
public enum ImageCacheMode: String, Sendable {
    /// Images are decoded when needed (recently loaded ones stay in memory for mosaic).
    case none
    /// Every image is decoded once, before training, and kept (mosaic then draws from the whole dataset).
    case ram
    /// Decoded images are kept as `.npy` files: beside the images when that folder is writable, else in a cache
    /// folder (a read-only dataset is never written).
    case disk

    /// `True`/`'ram'` → ram, `'disk'` → disk, `False`/`None`/anything else → none.
    public init(argument: String?) {
        switch argument?.lowercased() {
        case "true", "ram": self = .ram
        case "disk": self = .disk
        default: self = .none
        }
    }
}
