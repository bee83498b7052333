import Foundation
import XCTest
import YOLOPose

/// Every domain error's `localizedDescription` is its message (Foundation's default would be "The operation could
/// not be completed"), so `catch { print(error.localizedDescription) }` tells a Swift user what went wrong.
final class LocalizedErrorTests: XCTestCase {
    func testLocalizedDescriptionIsTheMessage() {
        let errors: [any Error & CustomStringConvertible] = [
            ModelConfigError.notFound("x.yaml"),
            ModelLoadError.unsupportedFormat(file: "x.onnx"),
            CheckpointWriteError.fusedNetwork(file: "best.pt"),
            ONNXReadError.unreadable(file: "x.onnx", reason: "truncated"),
            VideoError.cannotOpen(path: "v.mp4", reason: "no stream"),
            PredictError.sourceNotFound("missing.jpg"),
            OKS.SigmaError.invalidOverride(expectedCount: 17, got: [0.1]),
            StateDictError.missingKeys(["model.0.conv.weight"]),
            ExportError.formatNotImplemented(format: "paddle", displayName: "PaddlePaddle"),
            TorchScriptExportError.fp16RequiresGPU(file: "x.torchscript"),
            TrainError.invalidArgument(key: "epochs", value: "-1", reason: "must be positive"),
        ]
        for error in errors {
            XCTAssertEqual(error.localizedDescription, error.description, "\(type(of: error))")
            XCTAssertFalse(error.description.isEmpty)
        }
    }
}
