import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing the safetensors format: an 8-byte little-endian header length, a JSON header mapping
/// tensor names to `{dtype, shape, data_offsets}` (plus an optional `__metadata__` string map), then the data.
public enum Safetensors {
    /// Reads all tensors (in data-offset order, i.e. the order they were written) and the metadata.
    /// - Throws: `CheckpointError` naming the file for unreadable, truncated or malformed files.
    public static func read(_ url: URL) throws -> (tensors: [(key: String, tensor: StoredTensor)], metadata: [String: String]) {
        let name = url.checkpointDisplayName
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CheckpointError.unreadable(file: name, reason: TorchFile.reason(for: error, url: url))
        }
        return try read(data: data, name: name)
    }

    /// Parses safetensors bytes already in memory; `name` is used in error messages.
    public static func read(data input: Data, name: String) throws -> (tensors: [(key: String, tensor: StoredTensor)], metadata: [String: String]) {
        let data = input.startIndex == 0 ? input : Data(input)
        guard data.count >= 8 else {
            throw CheckpointError.truncated(file: name, detail: "expected an 8-byte safetensors header length, found \(data.count) bytes")
        }
        let headerLength = ByteReader(data: data).u64(0)
        guard headerLength >= 0, headerLength <= data.count - 8 else {
            throw CheckpointError.truncated(
                file: name, detail: "expected \(headerLength) bytes of safetensors header, found \(data.count - 8)")
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data[8..<(8 + headerLength)])
        } catch {
            throw CheckpointError.invalidSafetensors(file: name, detail: "header is not valid JSON")
        }
        guard let header = json as? [String: Any] else {
            throw CheckpointError.invalidSafetensors(file: name, detail: "header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let meta = header["__metadata__"] {
            guard let map = meta as? [String: Any] else {
                throw CheckpointError.invalidSafetensors(file: name, detail: "__metadata__ is not an object")
            }
            for (k, v) in map {
                guard let s = v as? String else {
                    throw CheckpointError.invalidSafetensors(file: name, detail: "__metadata__ value for '\(k)' is not a string")
                }
                metadata[k] = s
            }
        }
        let base = 8 + headerLength
        let dataSize = data.count - base
        var found: [(key: String, start: Int, tensor: StoredTensor)] = []
        for (key, raw) in header where key != "__metadata__" {
            guard let info = raw as? [String: Any] else {
                throw CheckpointError.invalidSafetensors(file: name, detail: "entry '\(key)' is not an object")
            }
            guard let code = info["dtype"] as? String, let dtype = TensorDType(safetensorsCode: code) else {
                throw CheckpointError.invalidSafetensors(file: name, detail: "entry '\(key)' has an unsupported or missing dtype")
            }
            guard let shape = intArray(info["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw CheckpointError.invalidSafetensors(file: name, detail: "entry '\(key)' has an invalid shape")
            }
            guard let offsets = intArray(info["data_offsets"]), offsets.count == 2,
                  offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw CheckpointError.invalidSafetensors(file: name, detail: "entry '\(key)' has invalid data_offsets")
            }
            guard offsets[1] <= dataSize else {
                throw CheckpointError.truncated(
                    file: name, detail: "entry '\(key)' ends at data byte \(offsets[1]) but only \(dataSize) data bytes are present")
            }
            var numel = 1
            for d in shape {
                let (p, overflow) = numel.multipliedReportingOverflow(by: d)
                guard !overflow else { throw CheckpointError.invalidSafetensors(file: name, detail: "entry '\(key)' shape overflows") }
                numel = p
            }
            let (byteCount, overflow) = numel.multipliedReportingOverflow(by: dtype.itemSize)
            guard !overflow, byteCount == offsets[1] - offsets[0] else {
                throw CheckpointError.invalidSafetensors(
                    file: name, detail: "entry '\(key)' spans \(offsets[1] - offsets[0]) bytes but shape \(shape) of \(code) needs \(byteCount)")
            }
            let bytes = Data(data[(base + offsets[0])..<(base + offsets[1])])
            found.append((key, offsets[0], StoredTensor(shape: shape, dtype: dtype, bytes: bytes)))
        }
        found.sort { $0.start != $1.start ? $0.start < $1.start : $0.key < $1.key }
        return (found.map { ($0.key, $0.tensor) }, metadata)
    }

    /// Writes tensors in the given order (header keys and data both follow it) with string metadata, atomically
    /// (a temporary file in the same directory is renamed over the destination).
    /// - Throws: `CheckpointError.writeFailed` naming the file.
    public static func write(_ tensors: [(key: String, tensor: StoredTensor)], metadata: [String: String], to url: URL) throws {
        let name = url.checkpointDisplayName
        var seen = Set<String>()
        for (key, _) in tensors where !seen.insert(key).inserted || key == "__metadata__" {
            throw CheckpointError.writeFailed(file: name, reason: "duplicate or reserved tensor name '\(key)'")
        }
        let file = encode(tensors, metadata: metadata)
        let directory = url.deletingLastPathComponent()
        let temp = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try file.write(to: temp)
        } catch {
            throw CheckpointError.writeFailed(file: name, reason: TorchFile.reason(for: error, url: directory))
        }
        if rename(temp.path, url.path) != 0 {
            let message = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw CheckpointError.writeFailed(file: name, reason: message)
        }
    }

    /// Serializes tensors and metadata to safetensors bytes (header padded with spaces to a multiple of 8).
    public static func encode(_ tensors: [(key: String, tensor: StoredTensor)], metadata: [String: String]) -> Data {
        var parts: [String] = []
        if !metadata.isEmpty {
            let items = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            parts.append("\"__metadata__\":{\(items.joined(separator: ","))}")
        }
        var offset = 0
        for (key, tensor) in tensors {
            let end = offset + tensor.bytes.count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            parts.append("\(jsonString(key)):{\"dtype\":\"\(tensor.dtype.safetensorsCode)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Data(("{" + parts.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(header)
        for (_, tensor) in tensors { out.append(tensor.bytes) }
        return out
    }

    private static func intArray(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var out: [Int] = []
        for item in array {
            guard let n = item as? NSNumber else { return nil }
            let d = n.doubleValue
            guard d == d.rounded(), abs(d) < 9.0e15 else { return nil }
            out.append(n.intValue)
        }
        return out
    }

    private static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
