import Foundation
import HookstashTestSupport
import Testing

/// `hookstash expect` against a real `serve` (its store, or its inspector with `--from`): exit 0 with the matches as
/// soon as the count is reached, 1 at the deadline with the nearest misses, 2 on usage errors.
@Suite struct ExpectCommandTests {
    @Test func aMatchSentAfterExpectStartsEndsItWithThatCapture() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("store.sqlite")
        let serve = try await ServeProcess(database: database)
        defer { serve.terminate() }
        // Before expect starts: not looked at (the default is captures after expect starts).
        try await post(port: serve.port, path: "/webhooks/stripe", json: #"{"type":"invoice.paid"}"#)
        let expect = try ExpectProcess([
            "expect", "--db", database, "--path", "/webhooks/*", "--json", "/type = invoice.*", "--within", "60s",
        ])
        #expect(try await expect.waitUntilWaiting())
        try await post(port: serve.port, path: "/webhooks/stripe", json: #"{"type":"charge.succeeded"}"#)
        try await post(port: serve.port, path: "/webhooks/stripe", json: #"{"type":"invoice.created"}"#)
        let result = try await expect.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.first?.hasPrefix("ID ") == true)
        #expect(result.stdout.count == 2)
        #expect(result.stdout.last?.hasPrefix("3 ") == true, "\(result.stdout)")
        #expect(result.stderr.contains { $0.contains("after capture 1") })
    }

    @Test func countTwoWaitsForTwoAndPrintsTheirDocumentsAsJSON() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("store.sqlite")
        let serve = try await ServeProcess(database: database)
        defer { serve.terminate() }
        let expect = try ExpectProcess([
            "expect", "--db", database, "--count", "2", "--header", "X-Event: order.*", "--query", "mode=test",
            "--method", "POST", "--within", "60s", "--format", "json",
        ])
        #expect(try await expect.waitUntilWaiting())
        try await post(port: serve.port, path: "/hook?mode=test", json: "{}", headers: [("X-Event", "order.new")])
        #expect(expect.process.isRunning)
        try await post(port: serve.port, path: "/hook?mode=live", json: "{}", headers: [("X-Event", "order.new")])
        try await post(port: serve.port, path: "/hook?mode=test", json: #"{"n":2}"#, headers: [("X-Event", "order.x")])
        let result = try await expect.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.count == 1)
        let documents = try #require(
            try JSONSerialization.jsonObject(with: Data((result.stdout.first ?? "").utf8)) as? [[String: Any]])
        #expect(documents.map { $0["id"] as? Int } == [1, 3])
        #expect(documents.last?["body_text"] as? String == #"{"n":2}"#)
        #expect(documents.last?["target"] as? String == "/hook?mode=test")
    }

    @Test func theDeadlineExplainsTheNearestMissesAndExitsOne() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("store.sqlite")
        let serve = try await ServeProcess(database: database)
        defer { serve.terminate() }
        let expect = try ExpectProcess([
            "expect", "--db", database, "--json", "/type = invoice.*", "--signature", "valid", "--within", "3s",
        ])
        #expect(try await expect.waitUntilWaiting())
        // The nearest miss fails one key; the other fails both. A control character in the value is made visible.
        try await post(port: serve.port, path: "/a", json: #"{"type":"charge.succeeded\u001b[2J"}"#)
        try await post(port: serve.port, path: "/b", json: #"{"type":"invoice.paid"}"#)
        let result = try await expect.finish()
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let stderr = result.stderr.joined(separator: "\n")
        #expect(stderr.contains("no match within 3s: 2 captures arrived, 0 matched"), "\(stderr)")
        let misses = result.stderr.filter { $0.hasPrefix("  capture ") }
        #expect(
            misses == [
                "  capture 2: signature is missing, wanted valid",
                #"  capture 1: /type is 'charge.succeeded\x1b[2J', wanted invoice.*; signature is missing, wanted valid"#,
            ], "\(stderr)")
        #expect(!stderr.contains("\u{1b}"))
    }

    @Test func fromAnInspectorWithAndWithoutAToken() async throws {
        let directory = try TemporaryDirectory()
        let open = try await ServeProcess(database: directory.file("open.sqlite"))
        defer { open.terminate() }
        let guarded = try await ServeProcess(
            database: directory.file("guarded.sqlite"), arguments: ["--inspect-token", "t0ken-for-tests"])
        defer { guarded.terminate() }
        let openURL = "http://127.0.0.1:\(try #require(open.inspectorPort))/"
        let guardedURL = "http://127.0.0.1:\(try #require(guarded.inspectorPort))/"

        let expect = try ExpectProcess(["expect", "--from", openURL, "--json", "/id = evt_*", "--within", "60s"])
        #expect(try await expect.waitUntilWaiting())
        try await post(port: open.port, path: "/hook", json: #"{"id":"evt_1"}"#)
        let result = try await expect.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.last?.hasPrefix("1 ") == true)

        try await post(port: guarded.port, path: "/hook", json: #"{"id":"evt_2"}"#)
        let refused = try await HookstashProcess.run(
            ["expect", "--from", guardedURL, "--since-id", "0", "--within", "1s"], environment: ["HOOKSTASH_TOKEN": ""])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("needs the inspector's token; give it with --token"), "\(refused.stderr)")
        let allowed = try await HookstashProcess.run([
            "expect", "--from", guardedURL, "--token", "t0ken-for-tests", "--since-id", "0", "--json",
            "/id = evt_2", "--within", "30s", "--format", "json",
        ])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let documents = try JSONSerialization.jsonObject(with: allowed.stdout) as? [[String: Any]]
        #expect(documents?.first?["body_text"] as? String == #"{"id":"evt_2"}"#)

        let unreachable = try await HookstashProcess.run(
            ["expect", "--from", "http://127.0.0.1:\(try freePort())/", "--within", "1s"])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.hasPrefix("hookstash: http://127.0.0.1:"), "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("is unreachable"))
    }

    @Test func sinceIDLooksAtCapturesAboveIt() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("store.sqlite")
        let serve = try await ServeProcess(database: database)
        defer { serve.terminate() }
        for path in ["/b/1", "/a", "/b/2"] { try await post(port: serve.port, path: path, json: "{}") }
        let found = try await HookstashProcess.run([
            "expect", "--db", database, "--since-id", "0", "--path", "/b/*", "--count", "2", "--within", "30s",
        ])
        #expect(found.status == 0, "\(found.stderr)")
        #expect(found.stdoutText.split(separator: "\n").dropFirst().map { $0.prefix(2) } == ["1 ", "3 "])
        let short = try await HookstashProcess.run([
            "expect", "--db", database, "--since-id", "1", "--path", "/b/*", "--count", "2", "--within", "1s",
        ])
        #expect(short.status == 1)
        #expect(
            short.stderr.contains("no 2 matches within 1s: 2 captures arrived, 1 matched (capture 3)"),
            "\(short.stderr)")
        #expect(short.stderr.contains("  capture 2: path is '/a', wanted /b/*"))
    }

    @Test(arguments: [
        ["--json", "type = x"], ["--json", "/type"], ["--count", "0"], ["--header", "No-Colon"],
        ["--query", "=x"], ["--signature", "good"], ["--method", "PO ST"], ["--within", "soon"],
        ["--since", "yesterday"], ["--since-id", "-1"], ["--token", "t"], ["--from", "ftp://example.com/"],
        ["--format", "xml"],
    ])
    func usageErrorsExitTwo(arguments: [String]) async throws {
        let directory = try TemporaryDirectory()
        let result = try await HookstashProcess.run(
            ["expect", "--within", "1s"] + arguments, environment: ["HOOKSTASH_DB": directory.file("none.sqlite")])
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test func aMissingStoreExitsOne() async throws {
        let directory = try TemporaryDirectory()
        let result = try await HookstashProcess.run(["expect", "--db", directory.file("none.sqlite"), "--within", "1s"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no store at"), "\(result.stderr)")
    }
}
