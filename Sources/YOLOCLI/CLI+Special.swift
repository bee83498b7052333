import Foundation
import YOLOEngine

extension CLI {
    /// Runs a special command; `arguments` are all command-line arguments after the first.
    static func runSpecial(_ command: String, arguments: [String]) throws {
        switch command {
        case "help": print(help)
        case "version": print(version)
        case "cfg": printDefaultConfig()
        case "copy-cfg": try copyDefaultConfig()
        case "checks": try printChecks()
        case "settings": try runSettings(arguments)
        default: throw CLIError.notImplemented(command)
        }
    }

    /// `yolo cfg`: the default configuration as YAML.
    static func printDefaultConfig() {
        print("Printing '\u{1B}[1m\u{1B}[30mdefault.yaml\u{1B}[0m'\n\n" + DefaultConfig.yaml)
    }

    /// `yolo copy-cfg`: writes the default configuration to `./default_copy.yaml`.
    static func copyDefaultConfig() throws {
        let file = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("default_copy.yaml")
        do { try DefaultConfig.yaml.write(to: file, atomically: true, encoding: .utf8) } catch {
            throw CLIError.missing("cannot write \(file.path): \(error.localizedDescription)")
        }
        print("default.yaml copied to \(file.path)\nExample YOLO command with this new custom cfg:\n    yolo cfg='\(file.path)' imgsz=320 batch=8")
    }
}
