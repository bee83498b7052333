import Foundation
import XCTest
import YOLOData
import YOLOEngine
import YOLOFormats
import YOLOModel
import YOLOTensor
import YOLOTestSupport

/// Checkpoints written by this project, loaded by the reference (Ultralytics 8.4.190 + torch through
/// Scripts/reference/check_checkpoint.py): `YOLO(path)` must load them with the right class, task, names, keypoint
/// shape and stride, predict what our predictor predicts with the same (float16-rounded) weights, and validate to
/// our validator's metrics; `torch.load` and Ultralytics' restricted loader must read a training checkpoint.
///
/// Tolerances: the same number of detections per image, and box corners / keypoints within 1e-2 px, confidences
/// within 1e-4. Random-weight models score hundreds of boxes almost equally, and which of two nearly tied,
/// overlapping boxes NMS keeps depends on the last bits; for them only the detections above the first near tie
/// (scores within 1e-4) are compared, and their raw network output on a fixed input is compared instead
/// (|Δ| ≤ 1e-3 px, probabilities 1e-4 relative, as in ForwardParityTests). Val metrics within 1e-3.
/// Needs the reference interpreter (`YOLO_REF_PYTHON`, default /work/refvenv/bin/python): without it these fail.
final class CheckpointReferenceTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    private var directory: URL!

    override func setUpWithError() throws {
        if let reason = ReferencePython.unavailableReason { XCTFail(reason); throw XCTSkip(reason) }
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ckptref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private var valImages: [URL] {
        (try? FileManager.default.contentsOfDirectory(at: Fixtures.coco8Pose.appendingPathComponent("images/val"),
                                                      includingPropertiesForKeys: nil))?
            .filter { $0.pathExtension == "jpg" }.sorted { $0.path < $1.path } ?? []
    }

    /// Writes `net` as a stripped checkpoint, reloads it here (float16 weights), asks the reference to load and
    /// predict, and compares. Returns the reloaded network and the reference's report.
    @discardableResult
    private func check(_ net: YOLONetwork, name: String, predict: [(imgsz: Int, conf: Float)],
                       val: Int? = nil, forward: String? = nil, extra: [String: Any] = [:]) throws -> (YOLONetwork, [String: Any]) {
        let url = directory.appendingPathComponent("\(name).pt")
        try net.save(to: url)
        let ours = try YOLONetwork.load(url.path)
        let images = valImages
        XCTAssertEqual(images.count, 4, "coco8-pose val images")
        var expect: [String: Any] = ["class": net.kptShape == nil ? "DetectionModel" : "PoseModel", "task": net.task,
                                     "names": Dictionary(uniqueKeysWithValues: net.names.map { (String($0.key), $0.value) }),
                                     "stride": net.stride.map(Double.init)]
        if let kpt = net.kptShape { expect["kpt_shape"] = kpt }
        var request: [String: Any] = ["expect": expect,
                                      "predict": predict.map { ["imgsz": $0.imgsz, "conf": Double($0.conf), "images": images.map(\.path)] }]
        if let val { request["val"] = ["dataset": Fixtures.coco8Pose.path, "imgsz": val, "batch": 16] }
        let forwardOut = directory.appendingPathComponent("\(name)-forward.npy")
        if let forward {
            request["forward"] = ["input": Fixtures.path("input-\(forward).npy"), "output": forwardOut.path]
        }
        request.merge(extra) { $1 }
        let requestURL = directory.appendingPathComponent("\(name).json")
        try JSONSerialization.data(withJSONObject: request).write(to: requestURL)
        let report = try ReferencePython.json("check_checkpoint.py", [url.path, requestURL.path])

        let refPredictions = report["predict"] as? [[String: [[String: Any]]]] ?? []
        XCTAssertEqual(refPredictions.count, predict.count, name)
        var compared = 0
        for ((imgsz, conf), refImages) in zip(predict, refPredictions) {
            var o = PredictOptions()
            o.imgsz = [imgsz]
            o.conf = conf
            let predictor = try Predictor(model: ours, options: o)
            for image in images {
                let label = "\(name) imgsz=\(imgsz) \(image.lastPathComponent)"
                let r = try predictor.predict(try ImageIO.read(image), path: image.path)
                let refs = try XCTUnwrap(refImages[image.lastPathComponent], label)
                compared += compare(refs, r, label: label)
            }
        }
        print("CheckpointReferenceTests \(name): \(compared) reference detections matched")
        if let forward { try compareForward(ours, input: forward, reference: forwardOut, label: name) }
        return (ours, report)
    }

    /// Our raw eval output on a fixture input against the reference's.
    private func compareForward(_ net: YOLONetwork, input: String, reference: URL, label: String) throws {
        let x = try NpyArray(contentsOf: Fixtures.url("input-\(input).npy"))
        let out = withNoGrad { net(Tensor(shape: x.shape, values: x.values.map { $0 / 255 })) }
        let ref = try NpyArray(contentsOf: reference)
        XCTAssertEqual(out.shape, ref.shape, "\(label): output shape")
        guard out.shape == ref.shape else { return }
        let anchors = ref.shape[2], nc = net.nc, kdim = net.kptShape?[1] ?? 3
        let values = out.toArray()
        var pixel: ([Float], [Float]) = ([], []), prob: ([Float], [Float]) = ([], [])
        for c in 0..<ref.shape[1] {
            let isProb = (c >= 4 && c < 4 + nc) || (c >= 4 + nc && kdim == 3 && (c - 4 - nc) % 3 == 2)
            let range = c * anchors..<(c + 1) * anchors
            if isProb { prob.0 += values[range]; prob.1 += ref.values[range] } else { pixel.0 += values[range]; pixel.1 += ref.values[range] }
        }
        assertClose(pixel.0, pixel.1, atol: 1e-3, "\(label) forward boxes/keypoints")
        assertClose(prob.0, prob.1, atol: 1e-6, rtol: 1e-4, "\(label) forward class/visibility")
    }

    /// Matches reference detections in order; returns how many were compared.
    private func compare(_ refs: [[String: Any]], _ r: Results, label: String) -> Int {
        let confs = refs.map { Float($0["conf"] as! Double) }
        let firstTie = confs.indices.first { i in confs.indices.contains { $0 != i && abs(confs[$0] - confs[i]) <= 1e-4 } }
        if firstTie == nil { XCTAssertEqual(r.count, refs.count, "\(label): detection count") }
        var worst: Float = 0
        for (j, ref) in refs.prefix(firstTie ?? refs.count).enumerated() {
            guard j < r.count else { XCTFail("\(label): only \(r.count) detections, reference has \(refs.count)"); break }
            XCTAssertEqual(r.boxes.cls[j], ref["cls"] as! Int, "\(label) #\(j): class")
            XCTAssertEqual(r.boxes.conf[j], confs[j], accuracy: 1e-4, "\(label) #\(j): conf")
            let box = (ref["xyxy"] as! [Double]).map(Float.init)
            for k in 0..<4 { worst = max(worst, abs(r.boxes.xyxy[j][k] - box[k])) }
            let kpts = (ref["keypoints"] as! [[Double]]).map { $0.map(Float.init) }
            if let mine = r.keypoints?.data[j] {
                XCTAssertEqual(mine.count, kpts.count, "\(label) #\(j): keypoint count")
                for (p, q) in zip(mine, kpts) {
                    worst = max(worst, abs(p[0] - q[0]), abs(p[1] - q[1]))
                    if p.count == 3 { XCTAssertEqual(p[2], q[2], accuracy: 1e-4, "\(label) #\(j): visibility") }
                }
            } else {
                XCTAssertTrue(kpts.isEmpty, "\(label) #\(j): keypoints")
            }
        }
        XCTAssertLessThanOrEqual(worst, 1e-2, "\(label): largest box/keypoint difference (px)")
        return firstTie ?? refs.count
    }

    private func model(_ report: [String: Any]) -> [String: Any] { report["model"] as? [String: Any] ?? [:] }

    /// A trained model: same detections at two sizes, and the same validation metrics.
    func testOverfitPoseModelPredictsAndValidatesLikeUs() throws {
        let net = try YOLONetwork.load(Fixtures.path("overfit-n-pose.pt"))
        let (ours, report) = try check(net, name: "best", predict: [(640, 0.25), (320, 0.25)], val: 640)
        XCTAssertEqual(model(report)["yaml_file"] as? String, "yolov8n-pose.yaml")
        let refMetrics = try XCTUnwrap(report["val"] as? [String: Double])
        let dir = directory.appendingPathComponent("data")
        var o = ValOptions()
        o.imgsz = 640
        o.verbose = false
        let metrics = try Validator(model: ours, data: DataConfig.load(Fixtures.writeCoco8PoseYAML(in: dir)), options: o).run()
        for key in PoseMetrics.keys {
            XCTAssertEqual(metrics.resultsDict[key]!, try XCTUnwrap(refMetrics[key], key), accuracy: 1e-3, key)
        }
        // Ultralytics validates our file exactly as it validated the checkpoint we read (Tests/Fixtures/val).
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("val/overfit-640.json"))) as! [String: Any]
        for (key, value) in original["results_dict"] as! [String: Double] {
            XCTAssertEqual(try XCTUnwrap(refMetrics[key], key), value, accuracy: 1e-9, "\(key) of the original checkpoint")
        }
    }

    /// Custom keypoint shape and class count, a detection model, and a P6 model with four levels.
    func testCustomPoseDetectAndP6Models() throws {
        try check(YOLONetwork.load(Fixtures.path("tiny-k5-pose.pt")), name: "tiny-k5", predict: [(320, 0.05)],
                  forward: "320x320")
        try check(YOLONetwork.load(Fixtures.path("tiny-k12d2-pose.pt")), name: "tiny-k12d2", predict: [(320, 0.05)],
                  forward: "320x320")
        try check(YOLONetwork.load(Fixtures.path("tiny-detect.pt")), name: "tiny-detect", predict: [(320, 0.05)],
                  forward: "320x320")
        let p6 = try YOLONetwork(config: ModelConfig.load("yolov8n-pose-p6.yaml"), seed: 7)
        let (_, report) = try check(p6, name: "yolov8n-pose-p6", predict: [(640, 0.0001)], forward: "640x640")
        XCTAssertEqual(model(report)["stride"] as? [Double], [8, 16, 32, 64])
    }

    /// A training checkpoint (model None, fp16 EMA, optimizer state): torch.load, Ultralytics' restricted loader and
    /// YOLO(path) all read it, and YOLO predicts with the EMA.
    func testTrainingCheckpointLoadsInTorchAndUltralytics() throws {
        let ema = try YOLONetwork.load(Fixtures.path("overfit-n-pose.pt"))
        let url = directory.appendingPathComponent("last.pt")
        let contents = Self.trainingContents(ema: ema)
        try contents.write(to: url)
        let request: [String: Any] = ["torch_load": true, "safe_load": true,
                                      "expect": ["class": "PoseModel", "task": "pose", "names": ["0": "person"],
                                                 "top_keys": ["epoch", "best_fitness", "stopper", "model", "ema", "updates",
                                                              "modelopt", "optimizer", "scaler", "train_args",
                                                              "train_metrics", "train_results", "date", "version", "git",
                                                              "license", "docs"]],
                                      "predict": [["imgsz": 640, "conf": 0.25, "images": valImages.map(\.path)]]]
        let requestURL = directory.appendingPathComponent("last.json")
        try JSONSerialization.data(withJSONObject: request).write(to: requestURL)
        let report = try ReferencePython.json("check_checkpoint.py", [url.path, requestURL.path])
        XCTAssertEqual(report["safe_load"] as? Bool, true)
        let loaded = try XCTUnwrap(report["torch_load"] as? [String: Any])
        XCTAssertEqual(loaded["types"] as? [String: String], [
            "epoch": "int", "best_fitness": "float", "stopper": "dict", "model": "NoneType", "ema": "PoseModel",
            "updates": "int", "modelopt": "NoneType", "optimizer": "dict", "scaler": "dict", "train_args": "dict",
            "train_metrics": "dict", "train_results": "dict", "date": "str", "version": "str", "git": "dict",
            "license": "str", "docs": "str"])
        let opt = try XCTUnwrap(loaded["optimizer"] as? [String: Any])
        XCTAssertEqual(opt["state"] as? Int, 2)
        XCTAssertEqual(opt["dtypes"] as? [String], ["torch.float16", "torch.float32"])
        XCTAssertEqual(opt["params"] as? [[Int]], [[0, 1], [2]])
        let emaInfo = try XCTUnwrap(loaded["ema"] as? [String: Any])
        XCTAssertEqual(emaInfo["training"] as? Bool, false)
        XCTAssertEqual(emaInfo["dtypes"] as? [String], ["torch.float16", "torch.int64"])
        XCTAssertEqual(emaInfo["args_type"] as? String, "IterableSimpleNamespace")
        XCTAssertEqual(emaInfo["requires_grad"] as? [Bool], [false])
        let values = try XCTUnwrap(loaded["values"] as? [String: Any])
        XCTAssertEqual(values["epoch"] as? Int, 4)
        XCTAssertEqual(values["updates"] as? Int, 40)
        XCTAssertEqual(values["version"] as? String, "8.4.190")
        // YOLO(path) used the EMA: the overfit model's detections.
        let refs = try XCTUnwrap((report["predict"] as? [[String: [[String: Any]]]])?.first)
        XCTAssertGreaterThan(refs.values.map(\.count).reduce(0, +), 4)
        var o = PredictOptions()
        o.imgsz = [640]
        o.conf = 0.25
        let predictor = try Predictor(model: try YOLONetwork.load(url.path), options: o)
        for image in valImages {
            let r = try predictor.predict(try ImageIO.read(image), path: image.path)
            _ = compare(try XCTUnwrap(refs[image.lastPathComponent]), r, label: "last.pt \(image.lastPathComponent)")
        }
    }

    static func trainingContents(ema: YOLONetwork) -> UltralyticsCheckpointContents {
        let step = StoredTensor(shape: [], floats: [12], dtype: .float32)
        let optimizer: PickleTerm = [
            "state": [
                0: ["step": .tensor(step), "exp_avg": .tensor(StoredTensor(shape: [2], floats: [1, 2], dtype: .float32))],
                1: ["step": .tensor(step), "momentum_buffer": .tensor(StoredTensor(shape: [1], floats: [0.125], dtype: .float16))],
            ],
            "param_groups": [
                ["lr": 0.01, "betas": .tuple([0.9, 0.999]), "weight_decay": 0.0005, "param_group": "weight", "params": [0, 1]],
                ["lr": 0.01, "betas": .tuple([0.9, 0.999]), "weight_decay": 0.0, "param_group": "bn", "params": [2]],
            ],
        ]
        let args = ema.orderedArgs
        return .training(epoch: 4, bestFitness: 0.25, stopper: (0.25, 3), ema: ema, updates: 40, optimizer: optimizer,
                         trainArgs: args, trainMetrics: [("metrics/mAP50(B)", 0.5), ("fitness", 0.25)],
                         trainResults: [("epoch", [1, 2]), ("time", [0.5, 1.25])])
    }
}
