extension ModelConfig {
    /// The definition with a dataset's class count and keypoint shape, as the reference's PoseModel applies them
    /// (the raw tree is updated too, so checkpoints carry the values used). `log` receives the reference's
    /// "Overriding model.yaml …" lines, keypoints first.
    public func overriding(nc newNC: Int?, kptShape newKpt: [Int]?, log: (String) -> Void) -> ModelConfig {
        var c = self
        func set(_ key: String, _ value: ConfigNode) {
            guard case .map(var items) = c.raw else { return }
            if let i = items.firstIndex(where: { $0.0 == key }) { items[i].1 = value } else { items.append((key, value)) }
            c.raw = .map(items)
        }
        if let k = newKpt, let old = kptShape, k != old {
            log("Overriding model.yaml kpt_shape=\(old) with kpt_shape=\(k)")
            c.kptShape = k
            set("kpt_shape", .list(k.map { .int($0) }))
        }
        if let n = newNC, n != nc {
            log("Overriding model.yaml nc=\(nc) with nc=\(n)")
            c.nc = n
            set("nc", .int(n))
        }
        return c
    }
}
