import Foundation
import HookstashCore
import HookstashStore
import Testing

/// `hookstash export`, run as a subprocess with its real exit codes.
@Suite struct ExportCommandTests {
    static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["HOOKSTASH_BIN"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for directory in [
            Bundle.main.bundleURL.deletingLastPathComponent(), root.appendingPathComponent(".build/debug"),
        ] {
            let url = directory.appendingPathComponent("hookstash")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return root.appendingPathComponent(".build/debug/hookstash")
    }

    func run(_ arguments: [String]) throws -> (status: Int32, stdout: [UInt8], stderr: String) {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, [UInt8](stdout), String(decoding: stderr, as: UTF8.self))
    }

    func seededStore(_ captures: [Capture]) throws -> (CaptureStore, String) {
        let directory = NSTemporaryDirectory() + "hookstash-export-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try CaptureStore(path: directory + "/store.sqlite")
        _ = try store.insert(captures)
        return (store, directory)
    }

    @Test func exportsHARRawAndCurl() throws {
        let tricky = Array("a 'quoted' \"body\" with \\ and $PATH\nand a second line\n".utf8)
        let (store, directory) = try seededStore([
            SampleCapture.make(target: "/one"),
            SampleCapture.make(
                target: "/two?x=1", headers: [("Host", "localhost:8080"), ("Content-Type", "text/plain")], body: tricky),
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let har = try run(["export", "1", "2", "--format", "har", "--db", store.path])
        #expect(har.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(har.stdout)) as? [String: Any])
        let entries = try #require((document["log"] as? [String: Any])?["entries"] as? [[String: Any]])
        #expect(entries.count == 2)
        #expect((entries[1]["request"] as? [String: Any])?["url"] as? String == "http://localhost:8080/two?x=1")

        let raw = try run(["export", "1", "2", "--format", "raw", "--db", store.path])
        #expect(raw.status == 0)
        let expected =
            try store.rawMessage(of: store.requireCapture(id: 1)) + store.rawMessage(of: store.requireCapture(id: 2))
        #expect(raw.stdout == expected)

        let receiver = try OneShotReceiver()
        let curl = try run([
            "export", "2", "--format", "curl", "--to", "http://127.0.0.1:\(receiver.port)", "--db", store.path,
        ])
        #expect(curl.status == 0)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", String(decoding: curl.stdout, as: UTF8.self)]
        try shell.run()
        shell.waitUntilExit()
        let request = try #require(receiver.request())
        #expect(request.head.hasPrefix("POST /two?x=1 HTTP/1.1"))
        #expect(request.body == tricky)
    }

    @Test func anUnknownIDFailsWithAReason() throws {
        let (store, directory) = try seededStore([SampleCapture.make()])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try run(["export", "1", "7", "--format", "har", "--db", store.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no capture with id 7"))
        #expect(result.stdout.isEmpty)
        let usage = try run(["export", "1", "--format", "xml", "--db", store.path])
        #expect(usage.status == 2)
    }
}
