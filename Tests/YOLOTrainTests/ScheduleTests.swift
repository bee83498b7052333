import XCTest
import YOLOModel
import YOLOTestSupport
@testable import YOLOTrain

/// Warmup, accumulation, schedule and early stopping against the values spec train-and-val §2.8, §2.9 and §2.13
/// record from the reference (verified runs).
final class ScheduleTests: XCTestCase {
    /// §2.8 worked example: batch 2, 4 images (nb = 2), 3 epochs, AdamW(auto) lr 0.002: nw = 4, acc0 = 6.
    func testWarmupWorkedExample() throws {
        let warmup = Warmup(warmupEpochs: 3, epochs: 3, batches: 2)
        XCTAssertEqual(warmup.iterations, 4)
        let net = try YOLONetwork.load(Fixtures.path("tiny-k5-pose.pt"))
        let choice = try OptimizerChoice.make(name: "auto", network: net, lr: 0.01, momentum: 0.937, decay: 0.0005,
                                              iterations: 3, nc: 1)
        let schedule = LearningRateSchedule(epochs: 3, lrf: 0.01, cosine: false)
        let expected: [(acc: Int, lr: Double)] = [(1, 0), (2, 0.0005), (4, 0.00067), (5, 0.001005), (6, 0.00068), (6, 0.00068)]
        for (ni, e) in expected.enumerated() {
            XCTAssertEqual(warmup.isActive(ni) ? warmup.accumulate(ni, nominal: 6) : 6, e.acc, "accumulate at ni=\(ni)")
            choice.optimizer.applySchedule(factor: schedule.factor(ni / 2), ni: ni, warmup: warmup, warmupBiasLR: 0,
                                           warmupMomentum: 0.8, momentum: 0.937)
            for g in choice.optimizer.groups { XCTAssertEqual(g.lr, e.lr, accuracy: 1e-12, "lr of \(g.kind) at ni=\(ni)") }
            // Adam-family groups have betas, not a momentum key: warmup leaves β1 at 0.9.
            XCTAssertEqual(choice.optimizer.groups[0].momentum, 0.9)
        }
        XCTAssertEqual(Warmup(warmupEpochs: 3, epochs: 1, batches: 10).iterations, 0, "warmup is capped at epochs − 1")
    }

    /// SGD groups ramp momentum from warmup_momentum to momentum, and the bias group's lr falls from warmup_bias_lr.
    func testSGDMomentumAndBiasWarmup() throws {
        let net = try YOLONetwork.load(Fixtures.path("tiny-k5-pose.pt"))
        let opt = try OptimizerChoice.make(name: "SGD", network: net, lr: 0.01, momentum: 0.937, decay: 0.0005,
                                           iterations: 3, nc: 2).optimizer
        let warmup = Warmup(warmupEpochs: 3, epochs: 10, batches: 4)
        opt.applySchedule(factor: 1, ni: 6, warmup: warmup, warmupBiasLR: 0.1, warmupMomentum: 0.8, momentum: 0.937)
        XCTAssertEqual(opt.groups[0].lr, 0.005, accuracy: 1e-12)
        XCTAssertEqual(opt.groups[2].lr, 0.1 + (0.01 - 0.1) * 0.5, accuracy: 1e-12)
        XCTAssertEqual(opt.groups[1].momentum, 0.8 + (0.937 - 0.8) * 0.5, accuracy: 1e-12)
    }

    /// §2.9: lf at e = 0, 1, 50, 99 for E = 100, lrf = 0.01.
    func testScheduleFactors() {
        let linear = LearningRateSchedule(epochs: 100, lrf: 0.01, cosine: false)
        let cosine = LearningRateSchedule(epochs: 100, lrf: 0.01, cosine: true)
        for (e, l, c) in [(0, 1.0, 1.0), (1, 0.9901, 0.99976), (50, 0.505, 0.505), (99, 0.0199, 0.01024)] {
            XCTAssertEqual(linear.factor(e), l, accuracy: 5e-5)
            XCTAssertEqual(cosine.factor(e), c, accuracy: 5e-5)
        }
    }

    /// §2.13: improvement resets the counter; a stop after `patience` epochs without; zero fitness always counts.
    func testEarlyStopping() {
        var s = EarlyStopping(patience: 3)
        XCTAssertFalse(s.update(epoch: 1, fitness: 0.5))
        XCTAssertFalse(s.update(epoch: 2, fitness: 0.4))
        XCTAssertFalse(s.update(epoch: 3, fitness: 0.45))
        XCTAssertTrue(s.possibleStop)
        XCTAssertTrue(s.update(epoch: 4, fitness: 0.3))
        XCTAssertEqual(s.bestEpoch, 1)
        XCTAssertFalse(s.update(epoch: 5, fitness: nil), "no validation, no decision")
        var off = EarlyStopping(patience: 0)
        for e in 1...50 { XCTAssertFalse(off.update(epoch: e, fitness: 0.1)) }
    }
}
