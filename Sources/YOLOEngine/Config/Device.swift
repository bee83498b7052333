import Foundation

/// The `device=` argument: this build computes on the CPU only.
public enum Device {
    /// A device this build cannot use, with the reference's wording.
    public struct Unavailable: Error, CustomStringConvertible, LocalizedError {
        public let device: String
        public var description: String {
            let kind = device.lowercased().hasPrefix("mps") ? "MPS" : "CUDA"
            return "Invalid \(kind) 'device=\(device)' requested. Use 'device=cpu' or pass valid CUDA device(s) if available, i.e. 'device=0' or 'device=0,1,2,3' for Multi-GPU. This build runs on the CPU only (no CUDA or MPS device)."
        }
        public var errorDescription: String? { description }
    }

    /// Accepts no device, `cpu` (any case) or an empty value; anything else (`0`, `0,1`, `cuda:0`, `mps`) throws.
    public static func check(_ device: String?) throws {
        guard let d = device?.trimmingCharacters(in: .whitespaces), !d.isEmpty, d.lowercased() != "cpu", d != "None" else { return }
        throw Unavailable(device: d)
    }
}
