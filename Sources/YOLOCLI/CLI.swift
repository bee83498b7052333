import Foundation
import YOLODistributed
import YOLOEngine
import YOLOExport
import YOLOModel
import YOLOTensor

/// The `yolo` command-line entry point.
public enum CLI {
    public static let version = "8.4.190-swift.0"

    /// The usage text (`yolo`, `yolo help`, and after grammar errors).
    static var help: String {
        let received = CLIGrammar.pyList(["yolo"] + Array(CommandLine.arguments.dropFirst()))
        return """

                Arguments received: \(received). The 'yolo' command takes:

                    yolo TASK MODE ARGS

                    TASK (optional) is one of \(CLIGrammar.pyList(CLIGrammar.tasks)) (this build runs pose models)
                    MODE (required) is one of \(CLIGrammar.pyList(CLIGrammar.modes))
                    ARGS (optional) are 'key=value' pairs overriding the defaults, e.g. 'imgsz=320'; list them with 'yolo cfg'

                Examples:
                    yolo predict model=yolov8n-pose.pt source=path/to/images imgsz=640 conf=0.25
                    yolo pose val model=yolov8n-pose.pt data=coco8-pose.yaml batch=1
                    yolo pose train model=yolov8n-pose.pt data=coco8-pose.yaml epochs=10 lr0=0.01
                    yolo export model=yolov8n-pose.pt format=onnx imgsz=480,640
                    yolo pose track model=yolov8n-pose.pt source=clip.mp4 tracker=bytetrack.yaml

                Other commands:
                    yolo info model=yolov8n-pose.pt     model summary and a forward pass
                    yolo help                           this text
                    yolo version                        version
                    yolo checks                         runtime dependencies report
                    yolo settings [reset|key=value]     show or change the settings file
                    yolo cfg                            print the default configuration
                    yolo copy-cfg                       copy it to ./default_copy.yaml

            """
    }

    /// Runs a command line; returns the process exit status. Errors print one line to standard error
    /// (after the usage text on standard output where the reference shows it).
    public static func run(_ argv: [String]) -> Int32 {
        // Line-buffered stdout: progress frames (written directly) and log lines stay in order, and a crash or
        // kill loses no finished line.
        setvbuf(stdout, nil, _IOLBF, 0)
        do {
            switch try CLIParser.parse(argv) {
            case .usage:
                print(help)
            case .special(let command, let arguments):
                try runSpecial(command, arguments: arguments)
            case .run(let parsed):
                let cfg: CLIConfig
                do {
                    cfg = try CLIConfig.resolve(parsed)
                } catch {
                    // The reference reports a bad export argument with its "cloud" line too.
                    if parsed.overrides["mode"] == .string("export") {
                        print(ExportCommand.cloudLine(format: parsed.overrides["format"]?.description ?? "torchscript"))
                    }
                    throw error
                }
                if cfg.mode == "info" { try info(cfg) } else { try runMode(cfg) }
            }
            return 0
        } catch let error as CLIError {
            if error.showsHelp { print(help) }
            return fail([error.description, error.hint].compactMap { $0 }.joined(separator: " "))
        } catch {
            return fail("\(error)")
        }
    }

    /// Prints the error line; in a run of several MPI ranks it names the rank and ends every rank (the others would
    /// otherwise wait for this one forever), so `mpirun` exits non-zero with this line in its output.
    static func fail(_ message: String) -> Int32 {
        guard let group = Distributed.existing, group.size > 1 else {
            FileHandle.standardError.write(Data("Error: \(ConsoleText.line(message))\n".utf8))
            return 1
        }
        FileHandle.standardError.write(Data("Error: rank \(group.rank)/\(group.size): \(ConsoleText.line(message))\n".utf8))
        group.abort(code: 1)
    }

    /// Under `mpirun` with several ranks on this machine and no `OMP_NUM_THREADS`: restarts this process with
    /// OMP_NUM_THREADS = cores / local ranks, so the ranks do not oversubscribe the cores (OpenMP reads the variable
    /// once, when it loads, so it has to be set before the process starts). Call first thing in `main`.
    public static func setThreadsPerRank() {
        guard let threads = Distributed.threadsPerRank() else { return }
        setenv("OMP_NUM_THREADS", String(threads), 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // exec failed: carry on with OpenMP's default.
    }

    /// Prints a model summary: source, task, scale, classes, keypoints, strides, parameters and a forward check.
    static func info(_ cfg: CLIConfig) throws {
        let name = cfg.string("model") ?? CLIGrammar.defaultModel
        let net = try YOLONetwork.load(name, task: cfg.taskSource == .explicit ? cfg.task : nil)
        let params = net.parameterCount
        let imgsz = cfg.intList("imgsz")?.first ?? 640
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
