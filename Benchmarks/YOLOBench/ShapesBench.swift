import Foundation

/// The cost of a new letterbox shape (issue 11): `yolo pose predict` over a folder's images listed twice, as fresh
/// processes. Per run, the inference time the console prints for each image is split into the process's first
/// image, the first image of each later new shape, and the second pass (every shape already seen); the table gives
/// the medians over runs and the ratios to the second pass.
enum ShapesBench {
    static func run(dir: String, options o: Options) throws {
        let ours = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("yolo").path
        let images = try FileManager.default.contentsOfDirectory(atPath: dir)
            .filter { ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            .map { URL(fileURLWithPath: dir).appendingPathComponent($0).standardizedFileURL.path }
        guard images.count > 1 else { throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "fewer than 2 images in \(dir)"]) }
        let list = URL(fileURLWithPath: o.out).appendingPathComponent("shapes-twice.txt")
        try (images + images).joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        var first: [Double] = [], newShape: [Double] = [], steady: [Double] = [], shapes = 0
        for _ in 0..<o.repeats {
            let (status, output) = try runCapturing(ours, ["pose", "predict", "model=\(o.model)", "source=\(list.path)",
                                                           "imgsz=\(o.imgsz)", "save=False"]
                                                          + (o.precision == .bfloat16 ? ["quantize=16"] : []),
                                                          withStandardError: true)
            guard status == 0 else { throw NSError(domain: "bench", code: Int(status), userInfo: [NSLocalizedDescriptionKey: "yolo exited \(status): \(output.suffix(300))"]) }
            // "image 3/16 /path/x.jpg: 480x640 6 persons, 118.2ms"
            let rows: [(shape: String, ms: Double)] = output.split(separator: "\n").compactMap { line in
                guard line.hasPrefix("image "), let colon = line.range(of: ": ", options: .backwards),
                      let comma = line.range(of: ", ", options: .backwards), line.hasSuffix("ms") else { return nil }
                let shape = line[colon.upperBound...].split(separator: " ").first.map(String.init) ?? ""
                return (shape, Double(line[comma.upperBound...].dropLast(2)) ?? .nan)
            }
            guard rows.count == 2 * images.count else { throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "expected \(2 * images.count) image lines, got \(rows.count)"]) }
            var seen = Set<String>(), runNew: [Double] = []
            for (i, r) in rows.enumerated() {
                if i == 0 { first.append(r.ms) } else if i >= images.count { steady.append(r.ms) } else if !seen.contains(r.shape) { runNew.append(r.ms) }
                seen.insert(r.shape)
            }
            newShape += runNew
            shapes = seen.count
        }
        let s = Stats(steady).median
        print("yolo pose predict over \(images.count) images listed twice, \(shapes) letterbox shapes, \(o.repeats) fresh processes, model \(o.model), imgsz \(o.imgsz)\(o.precision == .bfloat16 ? ", quantize=16" : "")")
        print("image                          median (ms)   / second pass")
        for (label, v) in [("first of the process", first), ("first of a later new shape", newShape), ("second pass (shapes seen)", steady)] {
            print(label.padding(toLength: 30, withPad: " ", startingAt: 0)
                  + String(format: " %10.1f   %12.2f   (n=%d)", Stats(v).median, Stats(v).median / s, v.count))
        }
    }
}
