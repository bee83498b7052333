import Foundation
import XCTest
import YOLOData
import YOLOEngine
import YOLOModel
import YOLOTestSupport

/// `Results.plot`, crops and predict saving, against Ultralytics renders in Tests/Fixtures/plot
/// (made by Scripts/reference/make_plot_fixtures.py).
final class PlotTests: XCTestCase {
    override class func setUp() { Log.enabled = false }

    struct Case {
        var name: String
        var image: String
        var lineWidth: Int?
        var lw: Int
        var results: Results
        var probes: [[String: Any]]
        var labelBoxes: [[Int]]
        var crops: [[Any]]
    }

    static func loadCases() throws -> [Case] {
        let data = try Data(contentsOf: Fixtures.url("plot/cases.json"))
        let doc = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return (doc["cases"] as! [[String: Any]]).map { c in
            let shape = c["orig_shape"] as! [Int]
            let orig = (height: shape[0], width: shape[1])
            let kshape = c["kpt_shape"] as! [Int]
            let dets = c["detections"] as! [[String: Any]]
            func f(_ v: Any) -> Float { Float((v as! NSNumber).doubleValue) }
            let boxes = Boxes(xyxy: dets.map { d in let b = (d["xyxy"] as! [Any]).map(f); return SIMD4(b[0], b[1], b[2], b[3]) },
                              conf: dets.map { f($0["conf"]!) }, cls: dets.map { $0["cls"] as! Int }, origShape: orig)
            let kp = Keypoints(data: dets.map { ($0["keypoints"] as! [[Any]]).map { $0.map(f) } }, origShape: orig, dims: kshape[1])
            var names: [Int: String] = [:]
            for (k, v) in c["names"] as! [String: String] { names[Int(k)!] = v }
            let r = Results(path: c["image"] as! String, origShape: orig, inputShape: orig, names: names, boxes: boxes,
                            keypoints: kp, speed: Speed(preprocess: 0, inference: 0, postprocess: 0))
            return Case(name: c["name"] as! String, image: c["image"] as! String, lineWidth: c["line_width"] as? Int,
                        lw: c["lw"] as! Int, results: r, probes: c["probes"] as! [[String: Any]],
                        labelBoxes: c["label_boxes"] as! [[Int]], crops: c["crops"] as! [[Any]])
        }
    }

    func original(_ c: Case) throws -> Image {
        try ImageIO.read(Fixtures.coco8Pose.appendingPathComponent("images/\(c.image)"))
    }

    func px(_ im: Image, _ x: Int, _ y: Int) -> [Int] {
        let i = (y * im.width + x) * 3
        return [Int(im.pixels[i]), Int(im.pixels[i + 1]), Int(im.pixels[i + 2])]
    }

    func maxDiff(_ a: [Int], _ b: [Int]) -> Int { zip(a, b).map { abs($0 - $1) }.max()! }

    /// (a) Keypoint centres and limb midpoints: solid reference pixels must match the §5 colour (±2 / ±4);
    /// the rest (thin 1-px limbs, which OpenCV never draws fully opaque) must be near the reference pixel.
    func testProbeColours() throws {
        for c in try Self.loadCases() {
            let ours = try c.results.plot(on: try original(c), lineWidth: c.lineWidth)
            var solid = 0, solidBad: [String] = [], soft = 0, softWorst = 0
            for p in c.probes {
                let x = p["x"] as! Int, y = p["y"] as! Int
                let got = px(ours, x, y)
                let expected = p["expected"] as! [Int], reference = p["reference"] as! [Int]
                if p["solid"] as! Bool {
                    solid += 1
                    // ±2 at keypoint centres; ±4 at limb midpoints (a thin limb over same-coloured paint).
                    if maxDiff(got, expected) > (p["kind"] as! String == "kpt" ? 2 : 4) { solidBad.append("\(p["kind"]!) det \(p["det"]!) at (\(x),\(y)): \(got) vs \(expected)") }
                } else {
                    soft += 1
                    softWorst = max(softWorst, maxDiff(got, reference))
                }
            }
            print("PlotTests probes \(c.name): \(solid) solid (\(solidBad.count) off), \(soft) soft, worst soft |Δ| = \(softWorst)")
            XCTAssertGreaterThan(solid, 10, c.name)
            XCTAssertEqual(solidBad, [], c.name)
            XCTAssertLessThanOrEqual(softWorst, 60, "\(c.name): a non-solid probe is far from the reference render")
        }
    }

    /// (b) Whole-image comparison with the reference render, label rectangles (ours and theirs, +3 px) excluded.
    func testMatchesReferenceRender() throws {
        for c in try Self.loadCases() {
            let img = try original(c)
            let ours = try c.results.plot(on: img, lineWidth: c.lineWidth)
            let ref = try ImageIO.read(Fixtures.url("plot/\(c.name).png"))
            XCTAssertEqual(ref.width, ours.width)
            XCTAssertEqual(ref.height, ours.height)
            var mask = [Bool](repeating: false, count: img.width * img.height)
            let ourLabels = try c.results.plotLabels(lineWidth: c.lw).map { [$0.rect.x1, $0.rect.y1, $0.rect.x2, $0.rect.y2] }
            for b in c.labelBoxes + ourLabels {
                for y in max(0, b[1] - 3)...min(img.height - 1, b[3] + 3) {
                    for x in max(0, b[0] - 3)...min(img.width - 1, b[2] + 3) { mask[y * img.width + x] = true }
                }
            }
            var total = 0, differ = 0, drawn = 0, drawnDiffer = 0
            for y in 0..<img.height {
                for x in 0..<img.width where !mask[y * img.width + x] {
                    total += 1
                    let a = px(ours, x, y), b = px(ref, x, y)
                    let d = maxDiff(a, b) > 40
                    if d { differ += 1 }
                    if maxDiff(b, px(img, x, y)) > 0 || maxDiff(a, px(img, x, y)) > 0 {
                        drawn += 1
                        if d { drawnDiffer += 1 }
                    }
                }
            }
            let frac = Double(differ) / Double(total), dfrac = Double(drawnDiffer) / Double(max(drawn, 1))
            print(String(format: "PlotTests render %@: %d/%d pixels differ by > 40 (%.4f%%); of %d drawn pixels %.2f%% differ",
                         c.name, differ, total, frac * 100, drawn, dfrac * 100))
            XCTAssertLessThan(frac, 0.005, c.name)
            XCTAssertLessThan(dfrac, 0.10, c.name)
        }
    }

    /// (c) Line width: the automatic rule, and the solid widths drawn for boxes (lw) and limbs (ceil(lw/2)),
    /// which in OpenCV's LINE_AA are 1 px for thickness 1, 3 px for 2, 5 px for 3 and 4.
    func testLineWidthRule() throws {
        XCTAssertEqual(PlotGeometry.lineWidth(height: 480, width: 640), 2)
        XCTAssertEqual(PlotGeometry.lineWidth(height: 640, width: 640), 2)
        XCTAssertEqual(PlotGeometry.lineWidth(height: 1080, width: 810), 3)
        XCTAssertEqual(PlotGeometry.lineWidth(height: 100, width: 100), 2)
        XCTAssertEqual(PlotGeometry.lineWidth(height: 2160, width: 3840), 9)
        for (t, solid) in [(1, 1), (2, 3), (3, 5), (4, 5), (5, 7)] {
            var c = Canvas(Image(width: 60, height: 40, repeating: 0))
            c.line(from: (5, 20), to: (55, 20), color: BGR(255, 255, 255), thickness: t)
            let column = (0..<40).map { c.pixel(30, $0).g }
            XCTAssertEqual(column.filter { $0 == 255 }.count, solid, "thickness \(t): \(column)")
            XCTAssertEqual(column.firstIndex(of: 255), 20 - solid / 2, "thickness \(t)")
        }
        // A plotted box on a blank image is lw wide in OpenCV's sense, and the label uses its text height rule.
        for lw in [2, 3] {
            let shape = (height: 200, width: 300)
            let r = Results(path: "x.jpg", origShape: shape, inputShape: shape, names: [0: "person"],
                            boxes: Boxes(xyxy: [SIMD4(50, 60, 250, 180)], conf: [0.87], cls: [0], origShape: shape),
                            keypoints: nil, speed: Speed(preprocess: 0, inference: 0, postprocess: 0))
            let out = try r.plot(on: Image(width: 300, height: 200, repeating: 0), lineWidth: lw)
            let row = (0..<300).map { px(out, $0, 120) }
            XCTAssertEqual(row.filter { $0 == [255, 42, 4] }.count, 2 * (lw == 2 ? 3 : 5), "lw \(lw)")
            let label = try r.plotLabels(lineWidth: lw)[0]
            XCTAssertEqual(label.text, "person 0.87")
            XCTAssertEqual(label.rect.y2, 60)
            XCTAssertEqual(label.rect.y2 - label.rect.y1, lw == 2 ? 21 : 30)  // OpenCV text height 18 / 27, + 3
            XCTAssertEqual(label.textColor, BGR(255, 255, 255))
            XCTAssertEqual(px(out, label.rect.x1 + 1, label.rect.y1 + 1), [255, 42, 4])
        }
    }

    /// (d) K ≠ 17: points in general-palette colours (RGB triples written as-is), no limbs; D = 2 (0, 0) is missing.
    func testCustomKeypointsDrawPointsOnly() throws {
        let shape = (height: 120, width: 200)
        let pts: [[Float]] = [[20, 20], [180, 20], [180, 100], [20, 100], [100, 60], [0, 0]]
        let r = Results(path: "x.jpg", origShape: shape, inputShape: shape, names: [0: "a"],
                        boxes: Boxes(xyxy: [SIMD4(10, 10, 190, 110)], conf: [0.5], cls: [0], origShape: shape),
                        keypoints: Keypoints(data: [pts], origShape: shape, dims: 2),
                        speed: Speed(preprocess: 0, inference: 0, postprocess: 0))
        let blank = Image(width: 200, height: 120, repeating: 0)
        let out = try r.plot(on: blank, showBoxes: false)
        for (k, p) in pts.enumerated().dropLast() {
            let c = Palette.generalRGB[k]
            XCTAssertEqual(px(out, Int(p[0]), Int(p[1])), [Int(c.0), Int(c.1), Int(c.2)], "point \(k)")
        }
        XCTAssertEqual(px(out, 0, 0), [0, 0, 0], "(0, 0) with D = 2 is missing")
        // Nothing between the points: only the five discs were drawn.
        var changed = 0
        for i in stride(from: 0, to: out.pixels.count, by: 3) {
            let v: UInt8 = out.pixels[i] | out.pixels[i + 1] | out.pixels[i + 2]
            if v != 0 { changed += 1 }
        }
        XCTAssertLessThan(changed, 5 * 150)
        XCTAssertEqual(px(out, 100, 20), [0, 0, 0])
        XCTAssertEqual(px(out, 60, 40), [0, 0, 0])
        // The same keypoints with K = 17 would get limbs; with D = 3 low confidences hide points.
        let k3 = Keypoints(data: [pts.map { [$0[0], $0[1], 0.2] }], origShape: shape, dims: 3)
        let hidden = Results(path: "x.jpg", origShape: shape, inputShape: shape, names: [0: "a"], boxes: r.boxes,
                             keypoints: k3, speed: r.speed)
        XCTAssertEqual(try hidden.plot(on: blank, showBoxes: false).pixels, blank.pixels)
    }

    /// (e) + (f) Predict with save and save_crop: annotated JPEG of the original size, crops of the expected sizes.
    func testPredictSavesAnnotatedImageAndCrops() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("plot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let src = Fixtures.coco8Pose.appendingPathComponent("images/val/000000000113.jpg")
        var o = PredictOptions()
        o.imgsz = [320]
        o.maxDet = 5
        o.verbose = false
        o.save = true
        o.saveCrop = true
        o.project = dir.path
        o.name = "run"
        let predictor = try Predictor(model: try YOLONetwork.load(Fixtures.path("tiny-k5-pose.pt")), options: o)
        var results: [Results] = []
        let run = try predictor.run(source: src.path) { results.append($0) }
        let saveDir = try XCTUnwrap(run.saveDir)
        let annotated = try ImageIO.read(saveDir.appendingPathComponent("000000000113.jpg"))
        let orig = try ImageIO.read(src)
        XCTAssertEqual([annotated.width, annotated.height], [orig.width, orig.height])
        let r = try XCTUnwrap(results.first)
        XCTAssertGreaterThan(r.count, 0)
        // Crops, in detection order: crop.jpg, then -2, -3, … within a class folder.
        var seen: [String: Int] = [:]
        for i in 0..<r.count {
            let cls = r.names[r.boxes.cls[i]]!
            let n = seen[cls, default: 0] + 1
            seen[cls] = n
            let url = saveDir.appendingPathComponent("crops/\(cls)/000000000113\(n > 1 ? "-\(n)" : "").jpg")
            let crop = try ImageIO.read(url)
            let rect = r.cropRect(i)
            XCTAssertEqual([crop.width, crop.height], [rect.x2 - rect.x1, rect.y2 - rect.y1], url.lastPathComponent)
        }
    }

    /// (f) Crop sizes and names equal what Ultralytics' save_crop wrote for the fixture detections.
    func testCropSizesMatchReference() throws {
        for c in try Self.loadCases() {
            let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("crops-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let written = try c.results.saveCrops(from: try original(c), to: dir, fileStem: "crop")
            var ours: [[String]] = []
            for u in written {
                let im = try ImageIO.read(u)
                ours.append([u.deletingLastPathComponent().lastPathComponent, u.lastPathComponent, "\(im.height)", "\(im.width)"])
            }
            ours.sort { $0.joined(separator: "/") < $1.joined(separator: "/") }
            let expected = c.crops.map { $0.map { "\($0)" } }
            XCTAssertEqual(ours, expected, c.name)
        }
    }

    /// Writes our render of the first fixture to /tmp for a visual check.
    func testWriteSampleRender() throws {
        let c = try Self.loadCases()[0]
        let ours = try c.results.plot(on: try original(c), lineWidth: c.lineWidth)
        try ImageIO.writePNG(ours, to: URL(fileURLWithPath: "/tmp/plot-\(c.name)-ours.png"))
    }
}
