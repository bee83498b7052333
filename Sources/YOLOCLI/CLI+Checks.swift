import Foundation
import YOLOData
import YOLOEngine
import YOLOTensor

extension CLI {
    /// `yolo checks`: the system and every runtime dependency this build uses, each with ✅ or ❌ and what is wrong:
    /// oneDNN (version, the ISA it dispatches to, bf16/AMX support of the CPU), the shared libraries actually loaded
    /// (libjpeg-turbo, libpng, libwebp, FreeType, OpenCV for the trackers, OpenMP), ffmpeg/ffprobe for video and live
    /// sources, and the plotting font. Returns the lines; the exit status is non-zero when a check fails.
    static func checksReport() -> (lines: [String], ok: Bool) {
        let info = ProcessInfo.processInfo
        var lines: [String] = []
        var ok = true
        func row(_ name: String, _ value: String) { lines.append(name.padding(toLength: 20, withPad: " ", startingAt: 0) + value) }
        func check(_ name: String, _ good: Bool, _ value: String) {
            if !good { ok = false }
            row(name, (good ? "✅ " : "❌ ") + value)
        }
        lines.append("Ultralytics-compatible yolo \(version)")
        row("OS", info.operatingSystemVersionString)
        row("CPU", cpuModel())
        row("CPU cores", String(info.activeProcessorCount))
        row("RAM", String(format: "%.1f GB", Double(info.physicalMemory) / 1_073_741_824))
        let flags = cpuFlags()
        let bf16 = flags.contains("avx512_bf16"), amx = flags.contains("amx_bf16") && flags.contains("amx_tile")
        check("oneDNN", true, "\(OneDNNInfo.version), ISA \(OneDNNInfo.isa)")
        let native = ConvPrecision.isBF16Supported
        row("bf16", (amx ? "AMX-BF16" : bf16 ? "AVX512_BF16" : "not supported by this CPU")
            + (native ? " (quantize=16 runs bf16 convolutions on oneDNN's \(OneDNNInfo.isa) kernels)"
                      : " (quantize=16 runs float32)"))
        row("conv layout", ConvLayoutPolicy.blocksActivations
            ? "nChw8c activations (\(ConvLayoutPolicy.current); faster than oneDNN's NHWC kernels on this CPU)"
            : "NHWC (\(ConvLayoutPolicy.current))")
        row("Winograd", !ConvLayoutPolicy.blocksActivations ? "off (only with the nChw8c layout)"
            : ConvWinograd.isEnabled ? "F(4x4,3x3) for 3x3 stride-1 convolutions (YOLO_CONV_WINOGRAD=0 turns it off)"
            : "off (YOLO_CONV_WINOGRAD=0)")
        let loaded = loadedLibraries()
        for (name, stem) in [("libjpeg-turbo", "libturbojpeg"), ("libpng", "libpng16"), ("libwebp", "libwebp."),
                             ("FreeType", "libfreetype"), ("OpenCV (GMC)", "libopencv_video"), ("OpenCV calib3d", "libopencv_calib3d"),
                             ("OpenMP", "libgomp")] {
            let path = loaded.first { ($0 as NSString).lastPathComponent.hasPrefix(stem) }
            check(name, path != nil, path ?? "not loaded")
        }
        for tool in ["ffmpeg", "ffprobe"] {
            if let path = FFmpegTool.locate(tool) {
                check(tool, true, "\(path) (\(toolVersion(path)))")
            } else {
                check(tool, false, "not found on PATH: videos and live sources need it (apt-get install ffmpeg)")
            }
        }
        do {
            check("Font", true, try FontRenderer.shared().path)
        } catch {
            check("Font", false, "\(error) (labels on plots need it: apt-get install fonts-dejavu-core)")
        }
        return (lines, ok)
    }

    static func printChecks() throws {
        let (lines, ok) = checksReport()
        lines.forEach { print($0) }
        fflush(stdout)
        if !ok { throw CLIError.missing("yolo checks: a runtime dependency is missing (❌ above)") }
    }

    static func cpuInfoText() -> String {
        FileHandle(forReadingAtPath: "/proc/cpuinfo").map { String(decoding: $0.readDataToEndOfFile(), as: UTF8.self) } ?? ""
    }

    static func cpuModel() -> String {
        cpuInfoText().split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }

    static func cpuFlags() -> Set<String> {
        guard let line = cpuInfoText().split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let list = line.split(separator: ":", maxSplits: 1).last else { return [] }
        return Set(list.split(separator: " ").map(String.init))
    }

    /// The shared objects mapped into this process (Linux `/proc/self/maps`), resolved paths.
    static func loadedLibraries() -> [String] {
        // /proc files report size 0, so read them to the end rather than by size.
        guard let data = FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile() else { return [] }
        let maps = String(decoding: data, as: UTF8.self)
        var seen = Set<String>(), out: [String] = []
        for line in maps.split(separator: "\n") {
            guard let path = line.split(separator: " ", omittingEmptySubsequences: true).last, path.hasPrefix("/"),
                  path.contains(".so") else { continue }
            if seen.insert(String(path)).inserted { out.append(String(path)) }
        }
        return out
    }

    /// The first line of `tool -version` (e.g. "ffmpeg version 5.1.6-0+deb12u1").
    static func toolVersion(_ path: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["-hide_banner", "-version"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return "cannot run" }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let first = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        return first.components(separatedBy: " Copyright").first ?? first
    }
}
