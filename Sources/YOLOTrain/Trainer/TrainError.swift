import Foundation

/// A training run that cannot start or continue; each case names the file or argument and the problem.
public enum TrainError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// `resume` found no checkpoint.
    case resumeNotFound(String?)
    /// The checkpoint has trained all its epochs (start epoch outside 0 < e < epochs).
    case nothingToResume(model: String, epochs: Int)
    /// An argument value the trainer cannot use.
    case invalidArgument(key: String, value: String, reason: String)
    /// The dataset has no training images.
    case noTrainingImages(String)
    /// Every parameter is frozen.
    case allFrozen(String)
    /// The dataset and the model disagree.
    case incompatible(String)
    /// Loss or fitness stayed non-finite.
    case nonFinite(String)

    public var description: String {
        switch self {
        case .resumeNotFound(let path):
            let what = path.map { "'\($0)' " } ?? ""
            return "Resume checkpoint \(what)not found. Please pass a valid checkpoint to resume from, i.e. 'yolo train resume model=path/to/last.pt'"
        case .nothingToResume(let model, let epochs):
            return "\(model) training to \(epochs) epochs is finished, nothing to resume.\nStart a new training without resuming, i.e. 'yolo train model=\(model)'"
        case .invalidArgument(let key, let value, let reason):
            return "'\(key)=\(value)' is invalid: \(reason)"
        case .noTrainingImages(let what): return "No training images found in \(what)"
        case .allFrozen(let freeze):
            return "'freeze=\(freeze)' froze the entire model with no trainable parameters left. Reduce 'freeze' or pass a list of specific layer indices."
        case .incompatible(let why): return why
        case .nonFinite(let why): return why
        }
    }
    public var errorDescription: String? { description }
}
