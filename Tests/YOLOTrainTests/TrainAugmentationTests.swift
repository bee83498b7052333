import Foundation
import XCTest
import YOLOData
import YOLOModel
import YOLOTestSupport
import YOLOTrain

/// A short training run with the augmentation pipeline on (mosaic, perspective, HSV, flips, then close_mosaic):
/// it completes, logs the reference's "Closing dataloader mosaic" at the right epoch and draws train_batch*.jpg of
/// augmented batches.
final class TrainAugmentationTests: XCTestCase {
    func testShortAugmentedRun() throws {
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("aug-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let yaml = try Fixtures.writeCoco8PoseYAML(in: work)
        var lines: [String] = []
        let overrides: [(key: String, value: ConfigNode)] = [
            ("model", .string(Fixtures.path("tiny-pose.yaml"))), ("data", .string(yaml)), ("epochs", .int(2)),
            ("imgsz", .int(64)), ("batch", .int(2)), ("project", .string(work.path)), ("name", .string("aug")),
            ("close_mosaic", .int(1)), ("mixup", .double(0.5)), ("degrees", .double(10)), ("val", .bool(false)),
            ("workers", .int(2)), ("pretrained", .bool(false))]
        let trainer = try Trainer(defaults: TrainArguments.defaults, overrides: overrides, log: { lines.append($0) })
        let result = try trainer.train()
        XCTAssertEqual(result.epochsCompleted, 2)
        XCTAssertEqual(lines.filter { $0 == "Closing dataloader mosaic" }.count, 1)
        let closeLine = lines.firstIndex(of: "Closing dataloader mosaic")!
        let epochHeaders = lines.indices.filter { lines[$0].contains("Epoch") && lines[$0].contains("box_loss") }
        XCTAssertEqual(epochHeaders.count, 2)
        XCTAssertTrue(epochHeaders[0] < closeLine && closeLine < epochHeaders[1], "closed before the second epoch")
        for ni in [0, 1, 2] {
            let jpg = result.saveDir.appendingPathComponent("train_batch\(ni).jpg")
            XCTAssertTrue(FileManager.default.fileExists(atPath: jpg.path), jpg.lastPathComponent)
        }
        let img = try ImageIO.read(result.saveDir.appendingPathComponent("train_batch0.jpg"))
        XCTAssertEqual(img.width, img.height)
        XCTAssertTrue(FileManager.default.fileExists(atPath: result.last.path))
    }
}
