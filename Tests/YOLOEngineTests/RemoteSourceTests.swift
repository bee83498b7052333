import Foundation
import XCTest
import YOLOData
@testable import YOLOEngine
import YOLOModel
import YOLOTestSupport

/// URL predict sources against a local `python3` HTTP server on 127.0.0.1 serving Tests/Fixtures/images.
final class RemoteSourceTests: XCTestCase {
    static var server: Process?
    static var port = 0

    /// Starts the server once for the class: port 0 (the kernel picks a free one, printed on stdout), quiet logs,
    /// and a 300 s self-destruct in case teardown never runs.
    override class func setUp() {
        Log.enabled = false
        let script = """
        import functools, http.server, os, sys, threading
        class H(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *a): pass
        h = functools.partial(H, directory=sys.argv[1])
        s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
        threading.Timer(300, lambda: os._exit(0)).start()
        print(s.server_address[1], flush=True)
        s.serve_forever()
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-u", "-c", script, Fixtures.url("images").path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return }
        server = p
        // First line: the port.
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    override class func tearDown() {
        if let p = server, p.isRunning {
            p.terminate()
            p.waitUntilExit()
        }
        server = nil
    }

    var base: String { "http://127.0.0.1:\(Self.port)" }

    override func setUpWithError() throws {
        try XCTSkipIf(Self.port == 0, "python3 http.server could not be started")
    }

    func tempDir() throws -> URL {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("remote-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func contents(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    func testURLClassification() {
        XCTAssertTrue(RemoteSource.isURL("https://ultralytics.com/images/bus.jpg"))
        XCTAssertTrue(RemoteSource.isURL("HTTP://host/a.png"))
        XCTAssertFalse(RemoteSource.isURL("rtsp://host/a.mp4"))
        XCTAssertTrue(RemoteSource.isStream("rtsp://host/a.mp4"))
        XCTAssertTrue(RemoteSource.hasMediaSuffix("https://host/a/bus.JPG"))
        XCTAssertTrue(RemoteSource.hasMediaSuffix("https://host/a/clip.mp4?sig=abc.def"))
        XCTAssertFalse(RemoteSource.hasMediaSuffix("https://host/a/bus"))
        XCTAssertFalse(RemoteSource.hasMediaSuffix("https://host/page.html?x=1.jpg"))
        XCTAssertEqual(RemoteSource.fileName(for: "https://ultralytics.com/images/bus.jpg"), "bus.jpg")
        XCTAssertEqual(RemoteSource.fileName(for: "https://host/a/bus.jpg?token=1/2"), "bus.jpg")
        XCTAssertEqual(RemoteSource.fileName(for: "https://host/a/my%20bus.jpg"), "my bus.jpg")
        XCTAssertEqual(RemoteSource.fileName(for: "https://host/"), "host")
        XCTAssertEqual(RemoteSource.fileName(for: "https://"), "download")
    }

    func testDownloadsImageURLUnderItsFileName() throws {
        let dir = try tempDir()
        let files = try PredictSource.resolve("\(base)/lossy-q80.webp?auth=xyz", downloadDirectory: dir)
        XCTAssertEqual(files, [dir.appendingPathComponent("lossy-q80.webp").path])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: files[0])),
                       try Data(contentsOf: Fixtures.url("images/lossy-q80.webp")))
        XCTAssertEqual(contents(dir), ["lossy-q80.webp"])  // no .part left behind
        XCTAssertEqual(try ImageIO.read(URL(fileURLWithPath: files[0])).shape, [29, 41, 3])
    }

    func testExistingFileIsReused() throws {
        let dir = try tempDir()
        let local = dir.appendingPathComponent("gray.png")
        try Data("already here".utf8).write(to: local)
        XCTAssertEqual(try RemoteSource.download("\(base)/gray.png", to: dir), local.path)
        XCTAssertEqual(try Data(contentsOf: local), Data("already here".utf8))
    }

    func testTxtListMayHoldURLs() throws {
        let dir = try tempDir()
        let list = dir.appendingPathComponent("list.txt")
        try FileManager.default.copyItem(at: Fixtures.url("images/gray.png"), to: dir.appendingPathComponent("local.png"))
        try "\(base)/lossless.webp\nlocal.png\n\(base)/gray.jpg\n".write(to: list, atomically: true, encoding: .utf8)
        let files = try PredictSource.resolve(list.path, downloadDirectory: dir.appendingPathComponent("dl"))
        XCTAssertEqual(files, [dir.appendingPathComponent("dl/lossless.webp").path, dir.path + "/local.png",
                               dir.appendingPathComponent("dl/gray.jpg").path])
    }

    func testHTTPErrorIsOneLineNamingURL() throws {
        let dir = try tempDir()
        let url = "\(base)/missing.jpg"
        XCTAssertThrowsError(try RemoteSource.download(url, to: dir, retries: 0)) { error in
            guard case PredictError.download(let u, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(u, url)
            XCTAssertTrue(reason.hasPrefix("HTTP 404"), reason)
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("download failure for '\(url)': HTTP 404"), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
        XCTAssertEqual(contents(dir), [])  // nothing published, no partial file
    }

    func testUnreachableURLIsOneLineError() throws {
        let dir = try tempDir()
        let url = "http://127.0.0.1:9/x.jpg"
        XCTAssertThrowsError(try PredictSource.resolve(url, downloadDirectory: dir)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("download failure for '\(url)': "), text)
            XCTAssertTrue(text.contains("connection refused"), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
        XCTAssertEqual(contents(dir), [])
    }

    func testStreamsAndSuffixlessURLsAreUnsupported() throws {
        for url in ["\(base)/lossy-q80", "rtsp://127.0.0.1:9/cam.mp4"] {
            XCTAssertThrowsError(try PredictSource.resolve(url, downloadDirectory: try tempDir())) { error in
                guard case PredictError.unsupported(let text) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(text.contains(url), text)
                XCTAssertTrue(text.contains("not supported"), text)
            }
        }
    }

    /// `Predictor.run` with a URL downloads into the current directory (as Ultralytics does) and predicts the file;
    /// the result's path is the local copy, named like the URL.
    func testPredictURLSource() throws {
        let dir = try tempDir()
        let fm = FileManager.default
        let cwd = fm.currentDirectoryPath
        XCTAssertTrue(fm.changeCurrentDirectoryPath(dir.path))
        defer { _ = fm.changeCurrentDirectoryPath(cwd) }
        var o = PredictOptions()
        o.imgsz = [160]
        o.verbose = false
        let predictor = try Predictor(model: try YOLONetwork.load(Fixtures.path("tiny-k5-pose.pt")), options: o)
        var paths: [String] = []
        let run = try predictor.run(source: "\(base)/webp-as.jpg") { paths.append($0.path) }
        XCTAssertEqual(run.results, 1)
        XCTAssertEqual(paths.map { ($0 as NSString).lastPathComponent }, ["webp-as.jpg"])
        XCTAssertTrue(fm.fileExists(atPath: dir.appendingPathComponent("webp-as.jpg").path))
        XCTAssertThrowsError(try predictor.run(source: "http://127.0.0.1:9/bus.jpg")) { error in
            XCTAssertEqual("\(error)", "download failure for 'http://127.0.0.1:9/bus.jpg': connection refused")
        }
    }
}
