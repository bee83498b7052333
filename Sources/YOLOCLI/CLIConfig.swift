import Foundation
import YOLOEngine
import YOLOModel

/// A resolved command line: the task and mode to run and the validated user overrides.
///
/// Mode implementations read settings through ``value(_:)`` and the typed accessors, which fall back to the
/// defaults of ``DefaultConfig``.
public struct CLIConfig: Equatable {
    /// Where ``task`` came from.
    public enum TaskSource: String, Equatable, Sendable {
        /// Given on the command line (`pose`, `task=pose`).
        case explicit
        /// Read from the model's file name (`yolov8n-pose.pt`).
        case modelName
        /// Neither: assumed `pose`; a mode that loads the model should call ``reconcileTask(modelTask:warn:)``.
        case assumed
    }

    /// Task to run (`pose`, …).
    public var task: String
    /// Mode to run (`predict`, …), or `info`.
    public var mode: String
    /// User-given overrides with deprecated aliases mapped and values validated; includes `model` once resolved.
    /// `task` and `mode` live in their own fields.
    public var overrides: [String: CLIValue]
    /// Override keys in the order they were given.
    public var keyOrder: [String]
    /// Where ``task`` came from.
    public var taskSource: TaskSource

    /// Builds a config directly (tests, programmatic use); nothing is validated.
    public init(task: String, mode: String, overrides: [String: CLIValue] = [:], keyOrder: [String]? = nil,
                taskSource: TaskSource = .explicit) {
        self.task = task
        self.mode = mode
        self.overrides = overrides
        self.keyOrder = keyOrder ?? overrides.keys.sorted()
        self.taskSource = taskSource
    }

    /// The override for `key`, else its default (`.none` for keys outside the default config).
    public func value(_ key: String) -> CLIValue {
        ArgumentReads.note(key)
        if key == "task" { return .string(task) }
        if key == "mode" { return .string(mode) }
        return overrides[key] ?? DefaultConfig.value(key) ?? .none
    }

    /// Whether the user gave `key`.
    public func isSet(_ key: String) -> Bool {
        ArgumentReads.note(key)
        return overrides[key] != nil
    }

    /// The value as text (`device=0` → `"0"`, `device=0,1` → `"[0, 1]"`); nil for None.
    public func string(_ key: String) -> String? {
        let v = value(key)
        return v.isNone ? nil : v.description
    }

    /// The value as an integer (integral floats included); nil for None and non-numbers.
    public func int(_ key: String) -> Int? {
        switch value(key) {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e18: return Int(d)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// The value as a number; nil for None and non-numbers.
    public func double(_ key: String) -> Double? { value(key).number }

    /// The value's truthiness (`None` → false).
    public func bool(_ key: String) -> Bool { value(key).isTruthy }

    /// An int or a list of ints (`imgsz=640` → `[640]`, `imgsz=480,640` → `[480, 640]`); nil otherwise.
    public func intList(_ key: String) -> [Int]? {
        func asInt(_ v: CLIValue) -> Int? {
            switch v {
            case .int(let i): return i
            case .double(let d) where d.rounded() == d && abs(d) < 9e18: return Int(d)
            default: return nil
            }
        }
        switch value(key) {
        case .list(let items):
            let ints = items.compactMap(asInt)
            return ints.count == items.count ? ints : nil
        case let v: return asInt(v).map { [$0] }
        }
    }

    /// Once a mode has loaded the model and knows its task: a different task wins over the command line's, with the
    /// reference's warning when the task was given explicitly.
    public mutating func reconcileTask(modelTask: String, warn: (String) -> Void = Log.warning) {
        guard modelTask != task else { return }
        if taskSource == .explicit {
            warn("conflicting 'task=\(task)' passed with 'task=\(modelTask)' model. Ignoring 'task=\(task)' and updating to 'task=\(modelTask)' to match model.")
        }
        task = modelTask
        taskSource = .modelName
    }
}
