import Foundation

extension NpyArray {
    /// Writes float32 values as a version-1 `.npy` file (little-endian, C order), as `np.save` lays it out.
    public static func write(shape: [Int], values: [Float], to url: URL) throws {
        precondition(values.count == shape.reduce(1, *), "NpyArray.write: \(values.count) values for shape \(shape)")
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(dims), }"
        // Magic (6) + version (2) + length (2) + header + "\n" is padded with spaces to a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        data.append(UInt8(header.utf8.count & 0xFF))
        data.append(UInt8(header.utf8.count >> 8))
        data.append(Data(header.utf8))
        values.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress!)
            .assumingMemoryBound(to: UInt8.self), count: $0.count * 4)) }
        try data.write(to: url)
    }
}
