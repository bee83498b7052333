#!/usr/bin/env bash
# Regenerates Sources/ONNXProto/onnx.pb.swift from Scripts/onnx/onnx.proto (copied verbatim from the onnx 1.23.2
# Python wheel, Apache-2.0; the file is itself generated from onnx.in.proto). Run once after updating the proto;
# the generated Swift file is committed so the package depends only on the SwiftProtobuf runtime library.
#
# Needs Debian's protoc (apt-get install protobuf-compiler; libprotoc 3.21.12 was used) and the protoc-gen-swift
# plugin built from the swift-protobuf 1.39.0 package (the same version as the runtime Package.swift names):
#   git clone --branch 1.39.0 https://github.com/apple/swift-protobuf /tmp/swift-protobuf-1.39.0
#   (cd /tmp/swift-protobuf-1.39.0 && swift build -c release --product protoc-gen-swift)   # about 4 minutes
# Usage: Scripts/onnx/generate.sh [path/to/protoc-gen-swift]
set -euo pipefail
cd "$(dirname "$0")/../.."
PLUGIN="${1:-/tmp/swift-protobuf-1.39.0/.build/release/protoc-gen-swift}"
protoc --plugin=protoc-gen-swift="$PLUGIN" \
       --proto_path=Scripts/onnx \
       --swift_opt=Visibility=Public \
       --swift_opt=FileNaming=DropPath \
       --swift_out=Sources/ONNXProto \
       Scripts/onnx/onnx.proto
echo "wrote Sources/ONNXProto/onnx.pb.swift"
