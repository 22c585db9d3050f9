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

    @Test func exportsAPostmanCollectionWithTextBodiesOnly() async throws {
        let binary: [UInt8] = [0x00, 0xff, 0x10, 0x80]
        let (_, directory) = try seededStore([
            TestCaptures.make(
                target: "/one?x=1&y=two",
                headers: Self.sampleHeaders(body: Self.sampleBody) + [("X-Dup", "a"), ("x-dup", "b")],
                body: Self.sampleBody),
            TestCaptures.make(
                target: "/bin", headers: [("Host", "example.test:9000"), ("Content-Length", "4")], body: binary),
        ])
        let result = try await run(["export", "1", "2", "--format", "postman", "--db", directory + "/store.sqlite"])
        #expect(result.status == 0, "\(result.stderr)")
        let collection = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        // What the v2.1 schema requires of a collection and its requests.
        let info = try #require(collection["info"] as? [String: Any])
        #expect(info["schema"] as? String == "https://schema.getpostman.com/json/collection/v2.1.0/collection.json")
        #expect(info["name"] is String)
        let items = try #require(collection["item"] as? [[String: Any]])
        #expect(items.count == 2)
        let first = try #require(items[0]["request"] as? [String: Any])
        #expect(first["method"] as? String == "POST")
        let headers = try #require(first["header"] as? [[String: String]])
        #expect(headers.map { $0["key"] ?? "" }.suffix(2) == ["X-Dup", "x-dup"])
        let url = try #require(first["url"] as? [String: Any])
        #expect(url["raw"] as? String == "http://localhost:8080/one?x=1&y=two")
        #expect(url["host"] as? [String] == ["localhost"])
        #expect(url["port"] as? String == "8080")
        #expect(url["path"] as? [String] == ["one"])
        #expect((url["query"] as? [[String: String]])?.map { $0["key"] ?? "" } == ["x", "y"])
        let body = try #require(first["body"] as? [String: String])
        #expect(body == ["mode": "raw", "raw": String(decoding: Self.sampleBody, as: UTF8.self)])
        let second = try #require(items[1]["request"] as? [String: Any])
        #expect(second["body"] == nil)
        #expect((second["description"] as? String)?.contains("not text") == true)
    }

    @Test func exportsFixturesOneFolderPerCapture() async throws {
        let (store, directory) = try seededStore([
            TestCaptures.make(target: "/one", headers: Self.sampleHeaders(body: Self.sampleBody), body: Self.sampleBody)
        ])
        let out = directory + "/fixtures"
        let result = try await run([
            "export", "1", "--format", "fixtures", "--out", out, "--db", directory + "/store.sqlite",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let folder = out + "/capture-1"
        #expect(FileManager.default.contents(atPath: folder + "/body") == Data(Self.sampleBody))
        let capture = try #require(try store.capture(id: 1))
        #expect(
            FileManager.default.contents(atPath: folder + "/request.http") == Data(try store.rawMessage(of: capture)))
        let headers =
            try JSONSerialization.jsonObject(
                with: try #require(FileManager.default.contents(atPath: folder + "/headers.json"))) as? [[String]]
        #expect(headers == Self.sampleHeaders(body: Self.sampleBody).map { [$0.0, $0.1] })
        for name in ["body", "headers.json", "request.http"] {
            let mode = try FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name)")
        }
        #expect((try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? Int) == 0o700)
        // Not written over; usage errors exit 2.
        let again = try await run([
            "export", "1", "--format", "fixtures", "--out", out, "--db", directory + "/store.sqlite",
        ])
        #expect(again.status == 1)
        #expect(again.stderr.contains("exists"), "\(again.stderr)")
        let noOut = try await run(["export", "1", "--format", "fixtures", "--db", directory + "/store.sqlite"])
        #expect(noOut.status == 2)
    }
}
