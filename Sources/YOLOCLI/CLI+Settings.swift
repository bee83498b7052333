import Foundation
import YOLOEngine
import YOLOModel

extension CLI {
    static let settingsHelp = "https://docs.ultralytics.com/usage/settings"

    /// `yolo settings` (show, creating the file on first use), `yolo settings reset`, `yolo settings key=value …`,
    /// as the reference handles them; our file lives under `yolo-swift/` in the config folder (`Settings.file`).
    static func runSettings(_ arguments: [String]) throws {
        let url = Settings.file
        var settings: Settings
        do {
            if !FileManager.default.fileExists(atPath: url.path) || arguments.first == "reset" {
                let existed = FileManager.default.fileExists(atPath: url.path)
                settings = Settings.defaults()
                try settings.save(to: url)
                if existed {
                    print("Settings reset successfully")
                } else {
                    print("Creating new Ultralytics Settings v\(Settings.version) file ✅ ")
                    print("View Ultralytics Settings with 'yolo settings' or at '\(url.path)'")
                    print("Update Settings with 'yolo settings key=value', i.e. 'yolo settings runs_dir=path/to/dir'. For help see \(settingsHelp).")
                }
            } else {
                settings = try Settings.load(from: url)
            }
            let updates = arguments.first == "reset" ? [] : arguments
            var changed: [(String, String)] = []
            for a in updates {
                guard let eq = a.firstIndex(of: "="), eq != a.startIndex else {
                    throw SettingsError.unknownKey(a, similar: [])
                }
                let key = String(a[..<eq]), value = String(a[a.index(after: eq)...])
                try settings.set(key, value)
                changed.append((key, value))
            }
            if !changed.isEmpty {
                try settings.save(to: url)
                for (k, v) in changed {
                    print("✅ Updated '\(k)=\(v)'")
                    if Settings.inactiveKeys.contains(k) {
                        Log.warning("'\(k)' configures an Ultralytics service this build does not have; it is stored but has no effect")
                    }
                }
            }
        } catch let e as SettingsError {
            throw CLIError.missing("settings error: '\(e)'. Please see \(settingsHelp) for help.")
        } catch {
            throw CLIError.missing("settings error: '\(url.path): \(error.localizedDescription)'. Please see \(settingsHelp) for help.")
        }
        print("JSONDict(\"\(url.path)\"):\n\(settings.json)")
        print("💡 Learn more about Ultralytics Settings at \(settingsHelp)")
    }
}
