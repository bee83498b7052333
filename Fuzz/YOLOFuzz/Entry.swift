import Foundation

#if FUZZING
/// libFuzzer's entry point (built with `-sanitize=fuzzer,address -DFUZZING`, see Scripts/fuzz.sh); the harness is
/// chosen by `YOLO_FUZZ_TARGET`.
nonisolated(unsafe) let selected: Harness = {
    let name = ProcessInfo.processInfo.environment["YOLO_FUZZ_TARGET"] ?? ""
    guard let h = Harness.named(name) else {
        FileHandle.standardError.write(Data("YOLO_FUZZ_TARGET must be one of \(Harness.all.map(\.name))\n".utf8))
        exit(2)
    }
    return h
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let bytes else { selected.run(Data()); return 0 }
    selected.run(Data(bytes: bytes, count: size))
    return 0
}

/// libFuzzer's driver (in the runtime `-sanitize=fuzzer` links); three pointer arguments, so the Swift declaration
/// passes them exactly as the C call would.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutableRawPointer,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main`, so libFuzzer's own `main` is replaced by this one,
/// which hands the command line to the driver.
@_cdecl("YOLOFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    _ = selected
    var count = argc
    var vector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return withUnsafeMutablePointer(to: &vector) { runFuzzerDriver(&count, UnsafeMutableRawPointer($0), fuzzOne) }
}
#else
/// Without libFuzzer: `yolo-fuzz <harness> <file or folder>...` runs a harness over saved inputs (seed corpora,
/// crash reproducers) and prints how many ran — the regression check CI runs on every build.
@main
struct Replay {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        guard args.count >= 2, let harness = Harness.named(args[0]) else {
            print("usage: yolo-fuzz <\(Harness.all.map(\.name).joined(separator: "|"))> <file or folder>...")
            exit(2)
        }
        var count = 0
        for path in args.dropFirst() {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                print("yolo-fuzz: \(path) does not exist"); exit(2)
            }
            let files = isDir.boolValue
                ? (FileManager.default.subpaths(atPath: path) ?? []).sorted().map { path + "/" + $0 }
                : [path]
            for file in files {
                var sub: ObjCBool = false
                guard FileManager.default.fileExists(atPath: file, isDirectory: &sub), !sub.boolValue,
                      let data = FileManager.default.contents(atPath: file) else { continue }
                harness.run(data)
                count += 1
            }
        }
        print("\(harness.name): \(count) inputs, no crash")
    }
}
#endif
