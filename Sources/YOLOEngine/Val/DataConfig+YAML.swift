import Foundation
import YOLOData
import YOLOModel

extension DataNode {
    /// The data tree of a parsed YAML file.
    init(_ node: ConfigNode) {
        switch node {
        case .none: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .list(let l): self = .list(l.map(DataNode.init))
        case .map(let m): self = .map(m.map { ($0.0, DataNode($0.1)) })
        }
    }
}

extension DataConfig {
    /// Reads a dataset YAML (`coco8-pose.yaml` style). Errors name the file.
    public static func load(_ path: String) throws -> DataConfig {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw DataConfigError(file: url.path, key: "data", message: "cannot read the dataset YAML: \(error.localizedDescription)")
        }
        return try parse(yaml: text, url: url)
    }

    /// Interprets dataset YAML text as if read from `url` (relative paths resolve against its folder).
    public static func parse(yaml text: String, url: URL) throws -> DataConfig {
        let node: ConfigNode
        do { node = try ConfigNode.parse(yaml: text) } catch {
            throw DataConfigError(file: url.path, key: "data", message: "malformed YAML: \(error)")
        }
        return try DataConfig(node: DataNode(node), yamlURL: url, datasetsDir: Settings.current.datasetsDir)
    }
}
