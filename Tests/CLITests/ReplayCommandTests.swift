import Foundation
import HookstashCore
import HookstashStore
import HookstashTestSupport
import Testing

/// `hookstash replay` and `send` as a user runs them: the built executable in a child process, with its own
/// environment (so proxy variables never leak into other tests) and real exit codes.
@Suite("replay and send commands")
struct ReplayCommandTests {
    /// The built executable, with `environment` added to this process's; stdout as text.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let result = try await HookstashProcess.run(arguments, environment: environment)
        return (result.status, result.stdoutText, result.stderr)
    }

    @Test("proxy variables in the environment are not used; the replay reaches the target")
    func ignoresEnvironmentProxy() async throws {
        let store = try TestCaptures.temporaryStore()
        let id = try store.insert([TestCaptures.make(headers: [("Host", "h"), ("Content-Length", "2")], body: [1, 2])])[
            0]
        let server = try RecordingServer()
        defer { server.stop() }
        let (reserved, proxyPort) = try RecordingServer.reservePort()
        defer { close(reserved) }
        let proxy = "http://127.0.0.1:\(proxyPort)"
        let result = try await Self.run(
            ["replay", "\(id)", "--to", server.url, "--db", store.path],
            environment: ["http_proxy": proxy, "HTTP_PROXY": proxy, "ALL_PROXY": proxy, "all_proxy": proxy])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("#\(id) POST \(server.url)/webhooks/front?x=1 → 200 OK in "))
        #expect(server.requests.count == 1)
    }

    @Test("exit status: 1 when the target refuses (one line on stderr), 2 for bad usage")
    func exitStatus() async throws {
        let store = try TestCaptures.temporaryStore()
        let id = try store.insert([TestCaptures.make(headers: [("Content-Length", "0")], body: [])])[0]
        let (reserved, port) = try RecordingServer.reservePort()
        defer { close(reserved) }
        let refused = try await Self.run(["replay", "\(id)", "--to", "http://127.0.0.1:\(port)", "--db", store.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("connection refused by 127.0.0.1:\(port) (nothing is listening there)"))
        #expect(refused.stderr.split(separator: "\n").count == 1)
        let usage = try await Self.run(["replay", "--to", "http://127.0.0.1:\(port)", "--db", store.path])
        #expect(usage.status == 2)
        let badURL = try await Self.run(["replay", "\(id)", "--to", "ftp://x", "--db", store.path])
        #expect(badURL.status == 2)
        let missing = try await Self.run([
            "send", "/nonexistent/file", "--to", "http://127.0.0.1:\(port)", "--scheme", "none",
        ])
        #expect(missing.status == 1)
    }

    @Test("send signs the file; replay --all --json prints one record per line")
    func sendAndBulkJSON() async throws {
        let server = try RecordingServer()
        defer { server.stop() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hookstash-send-\(UUID()).json")
        try Data(#"{"event":"ping"}"#.utf8).write(to: file)
        let sent = try await Self.run([
            "send", file.path, "--to", server.url + "/front", "--scheme", "front", "--secret", "s3cret",
        ])
        #expect(sent.status == 0, "\(sent.stderr)")
        let received = try #require(await server.requests(atLeast: 1).first)
        let expected = try Base64.encode(HMAC.code(.sha1, key: Array("s3cret".utf8), message: received.body))
        #expect(received.headerLines.contains("X-Front-Signature: \(expected)"))

        let store = try TestCaptures.temporaryStore()
        _ = try store.insert(
            (0..<3).map { TestCaptures.make(target: "/j/\($0)", headers: [("Content-Length", "0")], body: []) })
        let bulk = try await Self.run(["replay", "--all", "--to", server.url, "--db", store.path, "--json"])
        #expect(bulk.status == 0, "\(bulk.stderr)")
        let lines = bulk.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["status"] as? Int == 200)
            #expect((object?["detail"] as? [String: Any])?["source"] as? String == "replay")
        }
    }

    @Test("re-signing a capture that names no scheme says which flag names one, with its code in --json")
    func resignWithoutSchemeNamesTheFlag() async throws {
        let store = try TestCaptures.temporaryStore()
        let id = try store.insert([TestCaptures.make(headers: [("Content-Length", "0")], body: [])])[0]
        let server = try RecordingServer()
        defer { server.stop() }
        let arguments = [
            "replay", "\(id)", "--to", server.url, "--db", store.path, "--resign", "--resign-unverified",
            "--secret", "s3cret",
        ]
        let text = try await Self.run(arguments)
        #expect(text.status == 1)
        #expect(
            text.stderr.contains(
                "capture \(id) carries no signature header hookstash recognises; name the scheme with --scheme"),
            "\(text.stderr)")
        let json = try await Self.run(arguments + ["--json"])
        #expect(json.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["code"] as? String == "resign_scheme_unknown", "\(json.stdout) \(json.stderr)")
        #expect(server.requests.isEmpty)
    }
}
