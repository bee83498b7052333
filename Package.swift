// swift-tools-version:6.0
import PackageDescription

/// Hot loops live in C (CKernels) with per-function CPU targets, so the Swift targets need no unsafe flags.
let optimize: [SwiftSetting] = []

let package = Package(
    name: "YOLOPose",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "YOLOPose", targets: ["YOLOPose"]),
        .library(name: "ONNXProto", targets: ["ONNXProto"]),
        .executable(name: "yolo", targets: ["yolo"]),
        .executable(name: "yolo-bench", targets: ["YOLOBench"]),
        .executable(name: "yolo-fuzz", targets: ["YOLOFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .target(name: "CKernels", path: "Sources/CKernels",
                cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])],
                linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]),
        .target(name: "YOLOTensor", dependencies: ["CKernels"], swiftSettings: optimize),
        .target(name: "YOLONN", dependencies: ["YOLOTensor"], swiftSettings: optimize),
        .target(name: "YOLOFormats", swiftSettings: optimize),
        .target(name: "YOLOModel",
                dependencies: ["YOLONN", "YOLOFormats", .product(name: "Yams", package: "Yams")],
                resources: [.copy("Resources/cfg")], swiftSettings: optimize),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CWebP", path: "Sources/CWebP"),
        .systemLibrary(name: "CFreeType", path: "Sources/CFreeType", pkgConfig: "freetype2"),
        .target(name: "YOLOData", dependencies: ["YOLOTensor", "CKernels", "CTurboJPEG", "CPNG", "CWebP"], swiftSettings: optimize),
        /// Open MPI loaded at run time (dlopen), so nothing needs MPI to build or to run a single process.
        .target(name: "CMPI", path: "Sources/CMPI"),
        .target(name: "YOLODistributed", dependencies: ["CMPI"], swiftSettings: optimize),
        .target(name: "YOLOEngine", dependencies: ["YOLOModel", "YOLOData", "YOLODistributed", "CFreeType"], swiftSettings: optimize),
        .target(name: "YOLOTrain", dependencies: ["YOLOEngine"], swiftSettings: optimize),
        /// ONNX protobuf messages generated from Scripts/onnx/onnx.proto (Scripts/onnx/generate.sh); public types
        /// `Onnx_ModelProto`, … for reading and writing `.onnx` files.
        .target(name: "ONNXProto", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .target(name: "YOLOExport", dependencies: ["YOLOEngine", "YOLOModel", "YOLOFormats", "ONNXProto",
                                                   .product(name: "SwiftProtobuf", package: "swift-protobuf")],
                swiftSettings: optimize),
        /// Runs `.onnx` YOLO exports (Ultralytics' or ours) on the tensor core: protobuf + metadata reader, graph
        /// evaluator with Conv+SiLU fusion and shape-specialised constant folding, `InferenceBackend` for predict/val.
        .target(name: "YOLOONNX", dependencies: ["YOLOEngine", "YOLOTensor", "YOLOFormats", "CKernels", "ONNXProto",
                                                 .product(name: "SwiftProtobuf", package: "swift-protobuf")],
                swiftSettings: optimize),
        /// Global motion compensation for the trackers on OpenCV 4.6 (Debian's libopencv-video-dev: core, imgproc,
        /// video headers). calib3d has a runtime library but no header without ~110 more -dev packages, so
        /// CGMC declares its one calib3d function itself and links the library by file name.
        .target(name: "CGMC", path: "Sources/CGMC",
                cxxSettings: [.unsafeFlags(["-I/usr/include/opencv4", "-O2"])],
                linkerSettings: [.linkedLibrary("opencv_core"), .linkedLibrary("opencv_imgproc"),
                                 .linkedLibrary("opencv_video"),
                                 .unsafeFlags(["-Xlinker", "-l:libopencv_calib3d.so.406"])]),
        /// Multi-object tracking over predictor results: Kalman filter, Jonker–Volgenant assignment, ByteTrack,
        /// BoT-SORT, TrackTrack, camera-motion compensation.
        .target(name: "YOLOTrack", dependencies: ["YOLOEngine", "CGMC"], swiftSettings: optimize),
        .target(name: "YOLOPose", dependencies: ["YOLOTrain", "YOLOEngine", "YOLOExport", "YOLOONNX", "YOLOTrack"], swiftSettings: optimize),
        .target(name: "YOLOCLI", dependencies: ["YOLOEngine", "YOLOTrain", "YOLOExport", "YOLOONNX", "YOLOTrack"], swiftSettings: optimize),
        .executableTarget(name: "yolo", dependencies: ["YOLOCLI"]),
        /// libFuzzer harnesses (Scripts/fuzz.sh builds them with -sanitize=fuzzer,address); a normal build replays
        /// saved inputs through the same harnesses.
        .executableTarget(name: "YOLOFuzz", dependencies: ["YOLOCLI"], path: "Fuzz/YOLOFuzz"),
        .executableTarget(name: "YOLOBench", dependencies: ["YOLOModel", "YOLOData", "YOLOONNX", "YOLOTrack"], path: "Benchmarks/YOLOBench",
                          swiftSettings: optimize),
        .target(name: "YOLOTestSupport", dependencies: ["YOLOTensor", "YOLOFormats", "YOLOData"], path: "Tests/YOLOTestSupport"),
        .testTarget(name: "YOLOTensorTests", dependencies: ["YOLOTensor", "YOLONN", "YOLOTestSupport"]),
        .testTarget(name: "YOLOFormatsTests", dependencies: ["YOLOFormats", "YOLOTestSupport"]),
        .testTarget(name: "YOLOModelTests", dependencies: ["YOLOModel", "YOLONN", "YOLOTestSupport"]),
        .testTarget(name: "YOLODataTests", dependencies: ["YOLOData", "YOLOTestSupport"]),
        .testTarget(name: "YOLOEngineTests", dependencies: ["YOLOEngine", "YOLOTestSupport"]),
        .testTarget(name: "YOLODistributedTests", dependencies: ["YOLODistributed", "YOLOTestSupport"]),
        .testTarget(name: "YOLOTrainTests", dependencies: ["YOLOTrain", "YOLOTestSupport"]),
        .testTarget(name: "YOLOTrackTests", dependencies: ["YOLOTrack", "YOLOTestSupport"]),
        .testTarget(name: "YOLOPoseTests", dependencies: ["YOLOPose", "YOLOTestSupport"]),
        .testTarget(name: "YOLOCLITests", dependencies: ["YOLOCLI", "YOLOEngine", "YOLOTestSupport"]),
        .testTarget(name: "YOLOONNXTests", dependencies: ["YOLOONNX", "YOLOExport", "YOLOEngine", "YOLOData", "ONNXProto",
                                                          .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                                                          "YOLOTestSupport"]),
        .testTarget(name: "YOLOExportTests", dependencies: ["YOLOExport", "ONNXProto", "YOLOEngine", "YOLOModel",
                                                            "YOLOData", "YOLOFormats", "YOLOTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
