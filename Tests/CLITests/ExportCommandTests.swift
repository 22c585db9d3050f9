import Foundation
import HookstashCore
import HookstashStore
import HookstashTestSupport
import Testing

/// `hookstash export`, run as a subprocess with its real exit codes.
@Suite struct ExportCommandTests {
    func run(_ arguments: [String]) async throws -> (status: Int32, stdout: [UInt8], stderr: String) {
        let result = try await HookstashProcess.run(arguments)
        return (result.status, [UInt8](result.stdout), result.stderr)
    }

    /// A JSON webhook as a sender would post it.
    static let sampleBody = Array(#"{"type":"message","id":1}"#.utf8)

    static func sampleHeaders(body: [UInt8]) -> [(String, String)] {
        [
            ("Host", "localhost:8080"), ("Content-Type", "application/json"), ("User-Agent", "Front-Webhooks/1"),
            ("Content-Length", "\(body.count)"),
        ]
    }

    func seededStore(_ captures: [Capture]) throws -> (CaptureStore, String) {
        let directory = NSTemporaryDirectory() + "hookstash-export-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try CaptureStore(path: directory + "/store.sqlite")
        _ = try store.insert(captures)
        return (store, directory)
    }

    @Test func exportsHARRawAndCurl() async throws {
        let tricky = Array("a 'quoted' \"body\" with \\ and $PATH\nand a second line\n".utf8)
        let (store, directory) = try seededStore([
            TestCaptures.make(
                target: "/one", headers: Self.sampleHeaders(body: Self.sampleBody), body: Self.sampleBody),
            TestCaptures.make(
                target: "/two?x=1",
                headers: [
                    ("Host", "localhost:8080"), ("Content-Type", "text/plain"), ("Content-Length", "\(tricky.count)"),
                ],
                body: tricky),
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let har = try await run(["export", "1", "2", "--format", "har", "--db", store.path])
        #expect(har.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(har.stdout)) as? [String: Any])
        let entries = try #require((document["log"] as? [String: Any])?["entries"] as? [[String: Any]])
        #expect(entries.count == 2)
        #expect((entries[1]["request"] as? [String: Any])?["url"] as? String == "http://localhost:8080/two?x=1")

        let raw = try await run(["export", "1", "2", "--format", "raw", "--db", store.path])
        #expect(raw.status == 0)
        let expected =
            try store.rawMessage(of: store.requireCapture(id: 1)) + store.rawMessage(of: store.requireCapture(id: 2))
        #expect(raw.stdout == expected)

        let receiver = try RecordingServer()
        defer { receiver.stop() }
        let curl = try await run([
            "export", "2", "--format", "curl", "--to", "http://127.0.0.1:\(receiver.port)", "--db", store.path,
        ])
        #expect(curl.status == 0)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", String(decoding: curl.stdout, as: UTF8.self)]
        try shell.run()
        try await shell.exitStatus()
        let request = try #require(await receiver.requests(atLeast: 1, seconds: 10).first)
        #expect(request.headText.hasPrefix("POST /two?x=1 HTTP/1.1"))
        #expect(request.body == tricky)
    }

    @Test func anUnknownIDFailsWithAReason() async throws {
        let (store, directory) = try seededStore([
            TestCaptures.make(
                target: "/webhooks/front", headers: Self.sampleHeaders(body: Self.sampleBody), body: Self.sampleBody)
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await run(["export", "1", "7", "--format", "har", "--db", store.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no capture with id 7"))
        #expect(result.stdout.isEmpty)
        let usage = try await run(["export", "1", "--format", "xml", "--db", store.path])
        #expect(usage.status == 2)
    }
}
