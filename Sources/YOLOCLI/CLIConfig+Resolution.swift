import Foundation
import YOLOEngine
import YOLOModel

extension CLIConfig {
    /// Parses and resolves a command line that runs a mode: ``CLIParser/parse(_:warn:)`` then
    /// ``resolve(_:warn:)``. Returns nil for special commands and the no-argument usage case.
    public static func parse(_ argv: [String], warn: (String) -> Void = Log.warning) throws -> CLIConfig? {
        guard case .run(let parsed) = try CLIParser.parse(argv, warn: warn) else { return nil }
        return try resolve(parsed, warn: warn)
    }

    /// Resolves parsed arguments: mode (default `train` with a warning), task, value checks, model (default
    /// `yolov8n-pose.pt`, or the task's model), task inference from the model name, and mode defaults
    /// (`data` for train, `format` for export). A missing predict `source` is left for the mode to fill in.
    ///
    /// - Throws: ``CLIError`` for invalid modes, tasks and values.
    public static func resolve(_ parsed: CLIParsedArguments, warn: (String) -> Void = Log.warning) throws -> CLIConfig {
        var o = parsed.overrides
        // Mode
        var mode: String
        if parsed.info {
            mode = "info"
        } else if let m = o["mode"], !m.isNone {
            mode = m.description
            guard CLIGrammar.modes.contains(mode) else { throw CLIError.invalidMode(mode) }
        } else {
            mode = DefaultConfig.value("mode")?.description ?? "train"
            warn("'mode' argument is missing. Valid modes are \(CLIGrammar.pyList(CLIGrammar.modes)). Using default 'mode=\(mode)'.")
        }
        o.remove("mode")
        // Task
        var task: String?
        if let t = o.remove("task"), t.isTruthy {
            task = t.description
            if !CLIGrammar.tasks.contains(task!) {
                guard task == "track" else { throw CLIError.invalidTask(task!) }
                warn("invalid 'task=track', setting 'task=detect' and 'mode=track'. Valid tasks are \(CLIGrammar.pyList(CLIGrammar.tasks)).")
                task = "detect"
                if !parsed.info { mode = "track" }
            }
            if !o.contains("model") { o["model"] = .string(CLIGrammar.taskModels[task!] ?? CLIGrammar.defaultModel) }
        }
        // Values
        try CLIValidation.check(&o)
        // Model
        if (o["model"] ?? .none).isNone {
            o["model"] = .string(CLIGrammar.defaultModel)
            warn("'model' argument is missing. Using default 'model=\(CLIGrammar.defaultModel)'.")
        }
        let model = o["model"]!.description
        var source = TaskSource.explicit
        if let inferred = inferTask(fromModel: model) {
            if let given = task, given != inferred {
                warn("conflicting 'task=\(given)' passed with 'task=\(inferred)' model. Ignoring 'task=\(given)' and updating to 'task=\(inferred)' to match model.")
            }
            if task != inferred { source = .modelName }
            task = inferred
        } else if task == nil {
            source = .assumed
        }
        let resolvedTask = task ?? "pose"
        // Run folder name and project: numbers become text; name=model takes the model's stem.
        for k in ["project", "name"] {
            if let v = o[k], v.isNumber { o[k] = .string(v.description) }
        }
        if o["name"] == .string("model") {
            let stem = ((model as NSString).lastPathComponent as NSString).deletingPathExtension
            o["name"] = .string(stem)
            warn("'name=model' automatically updated to 'name=\(stem)'.")
        }
        // Mode defaults
        if mode == "train", (o["data"] ?? .none).isNone, !(o["resume"]?.isTruthy ?? false) {
            let data = CLIGrammar.taskData[resolvedTask] ?? "coco8-pose.yaml"
            o["data"] = .string(data)
            warn("'data' argument is missing. Using default 'data=\(data)'.")
        } else if mode == "export", !o.contains("format") {
            o["format"] = DefaultConfig.value("format") ?? .string("torchscript")
            warn("'format' argument is missing. Using default 'format=\(o["format"]!)'.")
        }
        return CLIConfig(task: resolvedTask, mode: mode, overrides: o.values, keyOrder: o.keys, taskSource: source)
    }

    /// The task a model file name implies: a `-pose` (`-seg`, `-cls`, `-obb`) stem suffix or a `pose` path
    /// component; model YAML names containing `pose`. Nil when the name says nothing (load the model to know).
    public static func inferTask(fromModel model: String) -> String? {
        let url = URL(fileURLWithPath: model)
        let stem = url.deletingPathExtension().lastPathComponent.lowercased()
        let ext = url.pathExtension.lowercased()
        if ext == "yaml" || ext == "yml" {
            for (word, task) in [("pose", "pose"), ("seg", "segment"), ("cls", "classify"), ("obb", "obb")] where stem.contains(word) {
                return task
            }
            return stem.hasPrefix("yolo") ? "detect" : nil
        }
        for (suffix, task) in [("-pose", "pose"), ("-seg", "segment"), ("-cls", "classify"), ("-obb", "obb")] where stem.contains(suffix) {
            return task
        }
        let parts = url.deletingLastPathComponent().pathComponents.map { $0.lowercased() }
        if parts.contains("pose") { return "pose" }
        if ["yolov8n", "yolov8s", "yolov8m", "yolov8l", "yolov8x"].contains(stem) { return "detect" }
        return nil
    }
}
