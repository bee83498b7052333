import YOLOTensor

/// Detections from an end-to-end output `[B, N, 6 + extra]` (rows x1, y1, x2, y2, score, class, extra values, as an
/// `nms=True` export writes them): per image the rows scoring strictly above `conf`, of an allowed class when
/// `classes` is set, in row order, at most `maxDet` — what Ultralytics does instead of NMS for such outputs.
public func endToEndDetections(_ output: Tensor, options o: NMSOptions) -> [[Detection]] {
    precondition(output.rank == 3 && output.shape[2] >= 6, "endToEndDetections: output \(output.shape)")
    let (batch, rows, width) = (output.shape[0], output.shape[1], output.shape[2])
    let allowed = o.classes.map(Set.init)
    return (0..<batch).map { b in
        var dets: [Detection] = []
        for r in 0..<rows {
            let row = output.pointer + (b * rows + r) * width
            guard row[4] > o.conf else { continue }
            let cls = Int(row[5])
            if let allowed, !allowed.contains(cls) { continue }
            dets.append(Detection(box: SIMD4(row[0], row[1], row[2], row[3]), conf: row[4], cls: cls,
                                  keypoints: Array(UnsafeBufferPointer(start: row + 6, count: width - 6))))
            if dets.count == o.maxDet { break }
        }
        return dets
    }
}
