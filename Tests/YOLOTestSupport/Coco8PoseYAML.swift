import Foundation

extension Fixtures {
    /// Writes a coco8-pose data YAML (17×3 keypoints, one class "person", `path` = ../shared/datasets/coco8-pose)
    /// into `directory` and returns its path. `sigmas` adds a `kpt_oks_sigmas` line.
    public static func writeCoco8PoseYAML(in directory: URL, sigmas: [Double]? = nil) throws -> String {
        var text = """
            path: \(coco8Pose.path)
            train: images/train
            val: images/val
            kpt_shape: [17, 3]
            flip_idx: [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
            names:
              0: person

            """
        if let sigmas { text += "kpt_oks_sigmas: [\(sigmas.map { String($0) }.joined(separator: ", "))]\n" }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("coco8-pose.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
