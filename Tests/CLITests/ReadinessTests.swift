import Foundation
import HookstashTestSupport
import Testing

/// `serve --ready-file` and `hookstash wait-ready`: the file names the real ports once both listeners accept, is
/// private, and goes away on shutdown; wait-ready exits 0 when ready, 1 at its timeout, 2 on usage errors.
@Suite struct ReadinessTests {
    @Test func theReadyFileNamesTheRealPortsAndGoesAwayOnSIGTERM() async throws {
        let directory = try TemporaryDirectory()
        let ready = directory.file("ready.json")
        let database = directory.file("store.sqlite")
        let serve = try await ServeProcess(database: database, arguments: ["--ready-file", ready])
        defer { serve.terminate() }
        let waited = try await HookstashProcess.run(["wait-ready", "--ready-file", ready, "--timeout", "30s"])
        #expect(waited.status == 0, "\(waited.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ready))) as? [String: Any])
        #expect(object["capture_url"] as? String == "http://127.0.0.1:\(serve.port)")
        #expect(object["inspector_url"] as? String == "http://127.0.0.1:\(try #require(serve.inspectorPort))")
        #expect(object["store"] as? String == database)
        #expect(object["pid"] as? Int == Int(serve.process.processIdentifier))
        let attributes = try FileManager.default.attributesOfItem(atPath: ready)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tmp") }.isEmpty)

        #expect(try await serve.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: ready))
    }

    @Test func withTheInspectorOffTheFileSaysNull() async throws {
        let directory = try TemporaryDirectory()
        let ready = directory.file("ready.json")
        let serve = try await ServeProcess(
            database: directory.file("store.sqlite"), arguments: ["--inspect", "off", "--ready-file", ready])
        defer { serve.terminate() }
        let waited = try await HookstashProcess.run(["wait-ready", "--ready-file", ready, "--print"])
        #expect(waited.status == 0, "\(waited.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: waited.stdout) as? [String: Any])
        #expect(object["inspector_url"] is NSNull)
        #expect(object["capture_url"] as? String == "http://127.0.0.1:\(serve.port)")
    }

    @Test func waitReadyByURL() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("store.sqlite")
        let serve = try await ServeProcess(database: database)
        defer { serve.terminate() }
        let inspector = "http://127.0.0.1:\(try #require(serve.inspectorPort))"
        for url in ["http://127.0.0.1:\(serve.port)/", inspector + "/healthz"] {
            let result = try await HookstashProcess.run(["wait-ready", "--url", url, "--timeout", "30s"])
            #expect(result.status == 0, "\(url): \(result.stderr)")
        }
        // A TCP connect to the capture URL sends nothing: nothing was captured.
        let list = try await HookstashProcess.run(["list", "--db", database, "--json"])
        let page = try JSONSerialization.jsonObject(with: list.stdout) as? [String: Any]
        #expect((page?["captures"] as? [Any])?.isEmpty == true, "\(list.stdoutText)")
    }

    @Test func waitReadyTimesOutSayingWhatItWaitedFor() async throws {
        let directory = try TemporaryDirectory()
        let missing = try await HookstashProcess.run([
            "wait-ready", "--ready-file", directory.file("ready.json"), "--timeout", "500ms",
        ])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("not ready after 500ms:"), "\(missing.stderr)")
        #expect(missing.stderr.contains("ready.json does not exist"))

        try Data("not json".utf8).write(to: URL(fileURLWithPath: directory.file("garbled.json")))
        let garbled = try await HookstashProcess.run([
            "wait-ready", "--ready-file", directory.file("garbled.json"), "--timeout", "300ms",
        ])
        #expect(garbled.status == 1)
        #expect(garbled.stderr.contains("is not the JSON object"), "\(garbled.stderr)")

        let port = try freePort()
        let closed = try await HookstashProcess.run([
            "wait-ready", "--url", "http://127.0.0.1:\(port)/", "--timeout", "500ms",
        ])
        #expect(closed.status == 1)
        #expect(closed.stderr.contains("http://127.0.0.1:\(port)/ does not accept connections"), "\(closed.stderr)")
    }

    @Test(arguments: [
        [], ["--url", "http://127.0.0.1:1/", "--ready-file", "x"], ["--url", "not a url"],
        ["--ready-file", "x", "--timeout", "soon"], ["--url", "http://127.0.0.1:1/", "--print"],
    ])
    func waitReadyUsageErrorsExitTwo(arguments: [String]) async throws {
        let result = try await HookstashProcess.run(["wait-ready"] + arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
    }
}
