import Foundation

/// Runs `exe args` to completion and returns its exit status and standard output (and standard error too when
/// `withStandardError`; otherwise that goes to our terminal).
func runCapturing(_ exe: String, _ args: [String], env: [String: String] = [:],
                  withStandardError: Bool = false) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    if !env.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 } }
    let pipe = Pipe()
    p.standardOutput = pipe
    if withStandardError { p.standardError = pipe }
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
