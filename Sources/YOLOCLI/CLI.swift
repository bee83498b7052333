import Foundation
import YOLOModel
import YOLOTensor

/// The `yolo` command-line entry point.
public enum CLI {
    public static let version = "8.4.190-swift.0"

    static let help = """
        Arguments received: yolo <TASK> <MODE> <key=value …>

            yolo TASK MODE ARGS
              TASK (optional) is one of \(CLIArguments.tasks)
              MODE (required) is one of \(CLIArguments.modes)
              ARGS are 'key=value' pairs, e.g. model=yolov8n-pose.pt imgsz=640

            yolo info model=yolov8n-pose.pt     model summary (layers, parameters, head)
            yolo version                        version
            yolo help                           this text

        This build implements model loading (.pt, .safetensors, model .yaml) and the network forward pass.
        """

    /// Runs a command line; returns the process exit status. Errors print one line to standard error.
    public static func run(_ argv: [String]) -> Int32 {
        do {
            let args = try CLIArguments(argv)
            if args.special == nil && args.mode == nil && args.task == nil {
                print(help)
                return 0
            }
            switch args.special {
            case "help": print(help); return 0
            case "version": print(version); return 0
            case "info": try info(args); return 0
            case .some(let s): throw CLIError.notImplemented(s)
            case nil: break
            }
            guard let mode = args.mode else { throw CLIError.missing("a mode is required: one of \(CLIArguments.modes)") }
            throw CLIError.notImplemented(mode)
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            return 1
        }
    }

    /// Prints a model summary: source, task, scale, classes, keypoints, strides, parameters and a forward check.
    static func info(_ args: CLIArguments) throws {
        let name = args.value("model") ?? "yolov8n-pose.pt"
        let net = try YOLONetwork.load(name, task: args.task ?? args.value("task"))
        let params = net.parameterCount
        let imgsz = Int(args.value("imgsz") ?? "640") ?? 640
        print("\(name): task=\(net.task) scale=\(net.config.scale ?? "-") nc=\(net.nc) kpt_shape=\(net.kptShape.map { "\($0)" } ?? "-") stride=\(net.stride.map { Int($0) })")
        print("names: \(net.names.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")
        print("summary: \(net.model.count) layers, \(params.formatted()) parameters")
        net.fuse()
        print("fused: \(net.parameterCount.formatted()) parameters")
        let x = Tensor(shape: [1, imgsz, imgsz, net.config.channels], repeating: 0.5)
        let start = Date()
        let y = withNoGrad { net(x) }
        print("forward \(imgsz)×\(imgsz): output \(y.shape) in \(String(format: "%.1f", Date().timeIntervalSince(start) * 1000)) ms (first call, includes primitive creation)")
    }
}
