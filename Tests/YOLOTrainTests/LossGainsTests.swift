import XCTest
@testable import YOLOTrain

final class LossGainsTests: XCTestCase {
    /// The defaults are the reference's pose gains (spec §2.1, default-cfg.txt).
    func testDefaultsMatchTheReference() {
        let g = LossGains()
        XCTAssertEqual([g.box, g.pose, g.kobj, g.cls, g.dfl], [7.5, 12.0, 1.0, 0.5, 1.5])
        XCTAssertEqual(LossGains.itemNames, ["box_loss", "pose_loss", "kobj_loss", "cls_loss", "dfl_loss"])
    }
}
