import Foundation
import XCTest
import YOLOData
import YOLOTestSupport

/// Tests/Fixtures/dataset/val-batches.json (Scripts/reference/make_dataset_fixtures.py).
struct ValBatchReference: Decodable {
    struct Item: Decodable {
        let file: String
        let ori_shape: [Int]
        let resized_shape: [Int]
        let ratio_pad: RatioPad
        let fnv1a64: String
        let cls: [Float]
        let bboxes: [Float]
        let keypoints: [Float]
    }
    /// [[gain_h, gain_w], [left, top]]
    struct RatioPad: Decodable {
        let gain: [Double], pad: [Int]
        init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            gain = try c.decode([Double].self)
            pad = try c.decode([Int].self)
        }
    }
    struct Batch: Decodable { let shape: [Int]; let images: [Item] }
    struct Run: Decodable {
        let split: String
        let imgsz: Int
        let batch: Int
        let batches: [Batch]
    }
    let runs: [Run]
}

/// Tests/Fixtures/dataset/scan-reference.json.
struct ScanReference: Decodable {
    struct Label: Decodable {
        let file: String
        let shape: [Int]
        let cls: [Float]
        let bboxes: [Float]
        let keypoints: [Float]
    }
    let kpt_shape: [Int]
    let nc: Int
    let found, missing, empty, corrupt, total: Int
    let messages: [String]
    let labels: [Label]
}

/// A fresh temporary folder, removed at the end of the test.
func makeTempDir(_ test: XCTestCase) throws -> URL {
    try TempDirectory.make(for: test, prefix: "dataset-tests")
}

/// A writable copy of a fixture tree.
func copyFixtureTree(_ name: String, into dir: URL) throws -> URL {
    let dest = dir.appendingPathComponent(name)
    try FileManager.default.copyItem(at: Fixtures.url("dataset/\(name)"), to: dest)
    return dest
}

// MARK: - Validation batches

final class DatasetValLoaderTests: XCTestCase {
    func testBatchesMatchReference() throws {
        let ref = try JSONDecoder().decode(ValBatchReference.self,
                                           from: Data(contentsOf: Fixtures.url("dataset/val-batches.json")))
        XCTAssertEqual(ref.runs.count, 8)
        let cacheDir = try makeTempDir(self)
        let coco = Fixtures.coco8Pose.standardizedFileURL
        var scans: [String: DatasetScan] = [:]
        for run in ref.runs {
            let entries = run.split == "val" ? ["images/val"] : ["images/train", "images/val"]
            let scan: DatasetScan
            if let s = scans[run.split] {
                scan = s
            } else {
                scan = try LabelScanner.scan(imageDirOrList: entries.map { coco.appendingPathComponent($0).path },
                                             kptShape: [17, 3], nc: 1, fallbackCacheDirectory: cacheDir,
                                             log: { _ in })
                scans[run.split] = scan
            }
            let loader = ValLoader(scan: scan, imgsz: run.imgsz, batch: run.batch)
            XCTAssertEqual(loader.count, run.batches.count)
            var n = 0
            for (bi, result) in loader.enumerated() {
                let batch = try result.get()
                let rb = run.batches[bi]
                let what = "\(run.split) imgsz \(run.imgsz) batch \(run.batch) #\(bi)"
                XCTAssertEqual([batch.shape.h, batch.shape.w], rb.shape, what)
                XCTAssertEqual(batch.files.count, rb.images.count, what)
                for (j, item) in rb.images.enumerated() where j < batch.files.count {
                    let w = "\(what) image \(j) \(item.file)"
                    let rel = String(batch.files[j].path.dropFirst(coco.path.count + 1))
                    XCTAssertEqual(rel, item.file, w)
                    XCTAssertEqual([batch.origShapes[j].h, batch.origShapes[j].w], item.ori_shape, w)
                    XCTAssertEqual([batch.shape.h, batch.shape.w], item.resized_shape, w)
                    XCTAssertEqual(batch.ratioPads[j].gain.h, item.ratio_pad.gain[0], accuracy: 1e-12, w)
                    XCTAssertEqual(batch.ratioPads[j].gain.w, item.ratio_pad.gain[1], accuracy: 1e-12, w)
                    XCTAssertEqual([batch.ratioPads[j].pad.left, batch.ratioPads[j].pad.top], item.ratio_pad.pad, w)
                    XCTAssertEqual([batch.images[j].height, batch.images[j].width], rb.shape, w)
                    XCTAssertEqual(batch.images[j].order, .bgr, w)
                    XCTAssertEqual(fnv1a64(batch.images[j].pixels), item.fnv1a64, w)
                    let labels = batch.labels[j]
                    XCTAssertEqual(labels.map { Float($0.cls) }, item.cls, w)
                    assertClose(labels.flatMap { [$0.box.x, $0.box.y, $0.box.z, $0.box.w] }, item.bboxes,
                                atol: 1e-5, "\(w) boxes")
                    assertClose(labels.flatMap { $0.keypoints.flatMap { [$0.x, $0.y, $0.z] } }, item.keypoints,
                                atol: 1e-5, "\(w) keypoints")
                }
                n += 1
            }
            XCTAssertEqual(n, run.batches.count)
        }
    }

    func testBatchShapeRule() throws {
        // Shapes are computed from the scan alone: no image is read.
        func scan(_ shapes: [(Int, Int)]) -> DatasetScan {
            DatasetScan(images: shapes.enumerated().map {
                LabeledImage(url: URL(fileURLWithPath: "/x/\($0.offset).jpg"), shape: $0.element, labels: [])
            }, found: shapes.count, missing: 0, empty: 0, corrupt: 0, total: shapes.count, messages: [])
        }
        let s = scan([(480, 640), (640, 480), (374, 500), (640, 416)])
        let l320 = ValLoader(scan: s, imgsz: 320, batch: 2)
        XCTAssertEqual(l320.order, [2, 0, 1, 3])
        XCTAssertEqual(l320.batchShapes.map { [$0.h, $0.w] }, [[256, 352], [352, 256]])
        XCTAssertEqual(ValLoader(scan: s, imgsz: 320, batch: 16).batchShapes.map { [$0.h, $0.w] }, [[352, 352]])
        // Square images: ceil(320/32 + 0.5)·32 = 352; pad 0 gives 320.
        let sq = scan([(100, 100)])
        XCTAssertEqual(ValLoader(scan: sq, imgsz: 320, batch: 1).batchShapes.map { [$0.h, $0.w] }, [[352, 352]])
        XCTAssertEqual(ValLoader(scan: sq, imgsz: 320, batch: 1, pad: 0).batchShapes.map { [$0.h, $0.w] }, [[320, 320]])
    }
}

// MARK: - Label scan

final class DatasetScanTests: XCTestCase {
    static let reference: [String: ScanReference] = {
        let data = try! Data(contentsOf: Fixtures.url("dataset/scan-reference.json"))
        return try! JSONDecoder().decode([String: ScanReference].self, from: data)
    }()

    func checkTree(_ name: String) throws {
        let ref = try XCTUnwrap(Self.reference[name])
        let dir = try makeTempDir(self)
        let tree = try copyFixtureTree(name, into: dir)
        let scan = try LabelScanner.scan(imageDirOrList: [tree.appendingPathComponent("images").path],
                                         kptShape: ref.kpt_shape, nc: ref.nc, fallbackCacheDirectory: dir,
                                         log: { _ in })
        XCTAssertFalse(scan.fromCache)
        XCTAssertEqual(scan.cacheURL?.path, tree.appendingPathComponent("labels.swift.cache").path)
        XCTAssertEqual([scan.found, scan.missing, scan.empty, scan.corrupt, scan.total],
                       [ref.found, ref.missing, ref.empty, ref.corrupt, ref.total], name)
        let messages = scan.messages.map { $0.replacingOccurrences(of: tree.path, with: "<root>") }
        XCTAssertEqual(messages.count, ref.messages.count, "\(name): \(messages)")
        for (m, r) in zip(messages, ref.messages) {
            if r.contains("l_not_image") {
                // The reference's reason comes from PIL's plugin probing ("No module named 'pi_heif'" here).
                XCTAssertEqual(m, "<root>/images/l_not_image.jpg: ignoring corrupt image/label: "
                               + "cannot identify image file '<root>/images/l_not_image.jpg'")
            } else {
                XCTAssertEqual(m, r)
            }
        }
        XCTAssertEqual(scan.images.map { String($0.url.path.dropFirst(tree.path.count + 1)) },
                       ref.labels.map(\.file), name)
        for (img, r) in zip(scan.images, ref.labels) {
            XCTAssertEqual([img.shape.h, img.shape.w], r.shape, r.file)
            XCTAssertEqual(img.labels.map { Float($0.cls) }, r.cls, r.file)
            XCTAssertEqual(img.labels.flatMap { [$0.box.x, $0.box.y, $0.box.z, $0.box.w] }, r.bboxes, r.file)
            XCTAssertEqual(img.labels.flatMap { $0.keypoints.flatMap { [$0.x, $0.y, $0.z] } }, r.keypoints, r.file)
        }
    }

    func testBrokenLabelsMatchReference() throws { try checkTree("broken") }
    func testTwoDimensionalKeypointsMatchReference() throws { try checkTree("d2") }

    func testLabelPathRule() {
        XCTAssertEqual(LabelScanner.labelPath(forImage: URL(fileURLWithPath: "/a/images/b/images/x.JPG")).path,
                       "/a/images/b/labels/x.txt")
        XCTAssertEqual(LabelScanner.labelPath(forImage: URL(fileURLWithPath: "/d/images/z.tar.jpg")).path,
                       "/d/labels/z.tar.txt")
        XCTAssertEqual(LabelScanner.labelPath(forImage: URL(fileURLWithPath: "/d/pics/z.png")).path, "/d/pics/z.txt")
    }

    func testImageListFile() throws {
        let dir = try makeTempDir(self)
        let tree = try copyFixtureTree("d2", into: dir)
        let list = tree.appendingPathComponent("list.txt")
        try "./images/b_negative_small.jpg\n\(tree.path)/images/a_good.jpg\n\n".write(to: list, atomically: true,
                                                                                      encoding: .utf8)
        let scan = try LabelScanner.scan(imageDirOrList: [list.path], kptShape: [2, 2], nc: 1,
                                         fallbackCacheDirectory: dir, log: { _ in })
        XCTAssertEqual(scan.images.map(\.url.lastPathComponent), ["a_good.jpg", "b_negative_small.jpg"])
        XCTAssertEqual(scan.total, 2)
    }

    func testSingleClassAcceptsAnyClass() throws {
        let dir = try makeTempDir(self)
        let tree = try copyFixtureTree("broken", into: dir)
        let scan = try LabelScanner.scan(imageDirOrList: [tree.appendingPathComponent("images").path],
                                         kptShape: [2, 3], nc: 1, singleCls: true, fallbackCacheDirectory: dir,
                                         log: { _ in })
        XCTAssertTrue(scan.images.contains { $0.url.lastPathComponent == "f_class_ge_nc.jpg" })
        XCTAssertTrue(scan.images.allSatisfy { $0.labels.allSatisfy { $0.cls == 0 } })
    }

    func testNoValidImagesThrows() throws {
        let dir = try makeTempDir(self)
        let tree = try copyFixtureTree("d2", into: dir)
        // With K = 3 every non-empty label has the wrong column count.
        XCTAssertThrowsError(try LabelScanner.scan(imageDirOrList: [tree.appendingPathComponent("images").path],
                                                   kptShape: [3, 3], nc: 1, fallbackCacheDirectory: dir,
                                                   log: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("No valid images found"), "\(error)")
        }
        XCTAssertThrowsError(try LabelScanner.scan(imageDirOrList: [dir.appendingPathComponent("nope").path],
                                                   kptShape: [3, 3], nc: 1, log: { _ in }))
    }

    func testNumpyArrayMessagesFormat() throws {
        // Exercised through the scan; a direct spot check of mixed signs.
        let dir = try makeTempDir(self)
        let tree = try copyFixtureTree("d2", into: dir)
        try "0 0.5 0.5 0.4 0.6 -0.5 0.4 0.6 -12.25\n".write(
            to: tree.appendingPathComponent("labels/a_good.txt"), atomically: true, encoding: .utf8)
        let scan = try LabelScanner.scan(imageDirOrList: [tree.appendingPathComponent("images").path],
                                         kptShape: [2, 2], nc: 1, fallbackCacheDirectory: dir, log: { _ in })
        XCTAssertTrue(scan.messages.contains { $0.hasSuffix("negative label values [ -0.5  -12.25]") },
                      "\(scan.messages)")
    }
}

// MARK: - Cache

final class DatasetCacheTests: XCTestCase {
    func testCacheReuseAndInvalidation() throws {
        let dir = try makeTempDir(self)
        let tree = try copyFixtureTree("broken", into: dir)
        let images = [tree.appendingPathComponent("images").path]
        func scan(nc: Int = 3) throws -> DatasetScan {
            try LabelScanner.scan(imageDirOrList: images, kptShape: [2, 3], nc: nc, fallbackCacheDirectory: dir,
                                  log: { _ in })
        }
        let first = try scan()
        XCTAssertFalse(first.fromCache)
        let cacheURL = try XCTUnwrap(first.cacheURL)
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheURL.path))

        let second = try scan()
        XCTAssertTrue(second.fromCache)
        XCTAssertEqual(second.messages, first.messages)
        XCTAssertEqual(second.images.map(\.url), first.images.map(\.url))
        XCTAssertEqual(second.images.map(\.labels), first.images.map(\.labels))
        XCTAssertEqual([second.found, second.missing, second.empty, second.corrupt, second.total],
                       [first.found, first.missing, first.empty, first.corrupt, first.total])

        // Touching a label file (mtime only) forces a rescan.
        let label = tree.appendingPathComponent("labels/a_good.txt")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)],
                                              ofItemAtPath: label.path)
        XCTAssertFalse(try scan().fromCache)
        XCTAssertTrue(try scan().fromCache)

        // Editing a label changes the result.
        try "0 0.5 0.5 0.4 0.6 0.4 0.4 2 0.6 0.6 1\n".write(to: label, atomically: true, encoding: .utf8)
        let edited = try scan()
        XCTAssertFalse(edited.fromCache)
        XCTAssertEqual(edited.images.first { $0.url.lastPathComponent == "a_good.jpg" }?.labels.count, 1)

        // A new label file for a previously missing one.
        try "0 0.5 0.5 0.4 0.6 0.4 0.4 2 0.6 0.6 1\n".write(
            to: tree.appendingPathComponent("labels/i_missing.txt"), atomically: true, encoding: .utf8)
        let added = try scan()
        XCTAssertFalse(added.fromCache)
        XCTAssertEqual(added.missing, 0)

        // Different scan settings.
        XCTAssertFalse(try scan(nc: 4).fromCache)
        XCTAssertFalse(try scan(nc: 3).fromCache)
        XCTAssertTrue(try scan(nc: 3).fromCache)

        // A damaged cache file is ignored and rewritten.
        try Data("garbage".utf8).write(to: cacheURL)
        XCTAssertFalse(try scan().fromCache)
        XCTAssertTrue(try scan().fromCache)
    }

    func testReadOnlyFolderUsesFallbackCache() throws {
        let dir = try makeTempDir(self)
        let tree = try copyFixtureTree("d2", into: dir)
        let fallback = dir.appendingPathComponent("fallback")
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: tree.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tree.path) }
        var logged: [String] = []
        let images = [tree.appendingPathComponent("images").path]
        let first = try LabelScanner.scan(imageDirOrList: images, kptShape: [2, 2], nc: 1,
                                          fallbackCacheDirectory: fallback, log: { logged.append($0) })
        XCTAssertFalse(first.fromCache)
        let url = try XCTUnwrap(first.cacheURL)
        XCTAssertTrue(url.path.hasPrefix(fallback.path), url.path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tree.appendingPathComponent("labels.swift.cache").path))
        XCTAssertTrue(logged.contains { $0.contains("is not writeable") }, "\(logged)")
        let second = try LabelScanner.scan(imageDirOrList: images, kptShape: [2, 2], nc: 1,
                                           fallbackCacheDirectory: fallback, log: { _ in })
        XCTAssertTrue(second.fromCache)
        XCTAssertEqual(second.cacheURL, url)
    }

    /// Tests scan a private writable copy of coco8-pose, so the cache lands beside its labels (as in a user's
    /// dataset) and the shared folder — writable on a newcomer's machine — is left alone. (Scripts/test.sh also
    /// compares a listing of ../shared before and after the whole suite.)
    func testScansUseAPrivateCopyOfTheSharedDataset() throws {
        let dir = try makeTempDir(self)
        XCTAssertNotEqual(Fixtures.coco8Pose.standardizedFileURL.path, Fixtures.sharedCoco8Pose.standardizedFileURL.path)
        let sharedLabels = Fixtures.sharedCoco8Pose.appendingPathComponent("labels")
        let before = try FileManager.default.contentsOfDirectory(atPath: sharedLabels.path).sorted()
        let scan = try LabelScanner.scan(imageDirOrList: [Fixtures.coco8Pose.appendingPathComponent("images/val").path],
                                         kptShape: [17, 3], nc: 1, fallbackCacheDirectory: dir, log: { _ in })
        XCTAssertEqual([scan.found, scan.missing, scan.empty, scan.corrupt, scan.total], [4, 0, 0, 0, 4])
        XCTAssertEqual(scan.images.map { $0.labels.count }.reduce(0, +), 14)
        XCTAssertEqual(scan.cacheURL?.path, Fixtures.coco8Pose.appendingPathComponent("labels/val.swift.cache").path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: sharedLabels.path).sorted(), before)
    }
}

// MARK: - DataConfig

final class DatasetConfigTests: XCTestCase {
    static let kptNames = ["nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
                           "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
                           "left_knee", "right_knee", "left_ankle", "right_ankle"]

    /// coco8-pose.yaml as the YAML bridge would deliver it, with `path` pointing at the shared copy.
    static func coco8Node(path: String, drop: Set<String> = [], replace: [String: DataNode] = [:]) -> DataNode {
        var entries: [(String, DataNode)] = [
            ("path", .string(path)),
            ("train", .string("images/train")),
            ("val", .string("images/val")),
            ("test", .none),
            ("kpt_shape", .list([.int(17), .int(3)])),
            ("flip_idx", .list([0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15].map { .int($0) })),
            ("names", .map([("0", .string("person"))])),
            ("kpt_names", .map([("0", .list(kptNames.map { .string($0) }))])),
            ("download", .string("https://github.com/ultralytics/assets/releases/download/v0.0.0/coco8-pose.zip")),
        ]
        entries.removeAll { drop.contains($0.0) }
        for (k, v) in replace {
            if let i = entries.firstIndex(where: { $0.0 == k }) { entries[i].1 = v } else { entries.append((k, v)) }
        }
        return .map(entries)
    }

    let yaml = URL(fileURLWithPath: "/tmp/some/where/coco8-pose.yaml")

    func testCoco8Pose() throws {
        let root = Fixtures.coco8Pose.standardizedFileURL.path
        let cfg = try DataConfig(node: Self.coco8Node(path: root), yamlURL: yaml)
        XCTAssertEqual(cfg.path.path, root)
        XCTAssertEqual(cfg.train, [root + "/images/train"])
        XCTAssertEqual(cfg.val, [root + "/images/val"])
        XCTAssertEqual(cfg.test, [])
        XCTAssertEqual(cfg.kptShape, [17, 3])
        XCTAssertEqual(cfg.flipIdx, [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15])
        XCTAssertEqual(cfg.names, [0: "person"])
        XCTAssertEqual(cfg.nc, 1)
        XCTAssertNil(cfg.kptOksSigmas)
        XCTAssertEqual(cfg.kptNames?[0], Self.kptNames)
        XCTAssertEqual(cfg.channels, 3)
        XCTAssertTrue(cfg.warnings.isEmpty)

        // The config drives a scan and a loader end to end.
        let dir = try makeTempDir(self)
        let scan = try LabelScanner.scan(imageDirOrList: cfg.val, kptShape: cfg.kptShape, nc: cfg.nc,
                                         fallbackCacheDirectory: dir, log: { _ in })
        XCTAssertEqual(scan.images.count, 4)
        XCTAssertEqual(ValLoader(scan: scan, imgsz: 640, batch: 16).count, 1)
    }

    func testPathResolution() throws {
        // No `path`: the YAML's folder.
        let cfg = try DataConfig(node: Self.coco8Node(path: "", drop: ["path"]), yamlURL: yaml)
        XCTAssertEqual(cfg.path.path, "/tmp/some/where")
        XCTAssertEqual(cfg.val, ["/tmp/some/where/images/val"])
        // Relative and not existing: under datasetsDir. Lists, absolute entries, `../` retry.
        let root = Fixtures.coco8Pose.standardizedFileURL
        let parent = root.deletingLastPathComponent()
        let node = Self.coco8Node(path: "coco8-pose", replace: [
            "val": .list([.string("images/val"), .string("/abs/images"), .string("../images/train")]),
            "validation": .none,
        ])
        let cfg2 = try DataConfig(node: node, yamlURL: yaml, datasetsDir: parent)
        XCTAssertEqual(cfg2.path.path, root.path)
        XCTAssertEqual(cfg2.val, [root.path + "/images/val", "/abs/images", root.path + "/images/train"])
        // `validation` is renamed to `val`.
        let node3 = Self.coco8Node(path: root.path, drop: ["val"], replace: ["validation": .string("images/val")])
        let cfg3 = try DataConfig(node: node3, yamlURL: yaml)
        XCTAssertEqual(cfg3.val, [root.path + "/images/val"])
        XCTAssertTrue(cfg3.warnings.contains { $0.contains("validation") })
        // names as a list; nc only.
        let cfg4 = try DataConfig(node: Self.coco8Node(path: root.path, replace: ["names": .list([.string("a"), .string("b")])]),
                                  yamlURL: yaml)
        XCTAssertEqual(cfg4.names, [0: "a", 1: "b"])
        XCTAssertEqual(cfg4.nc, 2)
        let cfg5 = try DataConfig(node: Self.coco8Node(path: root.path, drop: ["names"], replace: ["nc": .int(2)]),
                                  yamlURL: yaml)
        XCTAssertEqual(cfg5.names, [0: "class_0", 1: "class_1"])
        // Sigmas and D = 2.
        let cfg6 = try DataConfig(node: Self.coco8Node(path: root.path, drop: ["flip_idx", "kpt_names"], replace: [
            "kpt_shape": .list([.int(2), .int(2)]), "kpt_oks_sigmas": .list([.double(0.5), .int(1)]),
        ]), yamlURL: yaml)
        XCTAssertEqual(cfg6.kptOksSigmas, [0.5, 1])
        XCTAssertNil(cfg6.flipIdx)
        XCTAssertTrue(cfg6.warnings.contains { $0.contains("flip_idx") })
    }

    func testErrorsNameFileAndKey() {
        let root = Fixtures.coco8Pose.path
        let cases: [(String, DataNode)] = [
            ("val", Self.coco8Node(path: root, drop: ["val"])),
            ("kpt_shape", Self.coco8Node(path: root, drop: ["kpt_shape"])),
            ("kpt_shape", Self.coco8Node(path: root, replace: ["kpt_shape": .list([.int(17), .int(4)])])),
            ("kpt_shape", Self.coco8Node(path: root, replace: ["kpt_shape": .list([.int(0), .int(3)])])),
            ("kpt_shape", Self.coco8Node(path: root, replace: ["kpt_shape": .int(17)])),
            ("flip_idx", Self.coco8Node(path: root, replace: ["flip_idx": .list([.int(0), .int(1)])])),
            ("nc", Self.coco8Node(path: root, replace: ["nc": .int(2)])),
            ("names", Self.coco8Node(path: root, replace: ["names": .string("person")])),
            ("names", Self.coco8Node(path: root, drop: ["names"])),
            ("kpt_oks_sigmas", Self.coco8Node(path: root, replace: ["kpt_oks_sigmas": .list([.double(0.1)])])),
            ("kpt_oks_sigmas", Self.coco8Node(path: root, replace: [
                "kpt_oks_sigmas": .list(Array(repeating: DataNode.double(0.1), count: 16) + [.double(0)]),
            ])),
            ("path", Self.coco8Node(path: root, replace: ["path": .int(3)])),
            ("train", Self.coco8Node(path: root, replace: ["train": .int(3)])),
        ]
        for (key, node) in cases {
            XCTAssertThrowsError(try DataConfig(node: node, yamlURL: yaml), key) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(yaml.path), text)
                XCTAssertTrue(text.contains("'\(key)'"), text)
                XCTAssertEqual((error as? DataConfigError)?.key, key, text)
            }
        }
        // 17 positive sigmas are fine.
        XCTAssertNoThrow(try DataConfig(node: Self.coco8Node(path: root, replace: [
            "kpt_oks_sigmas": .list(Array(repeating: DataNode.double(0.1), count: 17)),
        ]), yamlURL: yaml))
    }
}
