import Foundation
import HookstashTestSupport
import Testing

/// `serve` runs the inspector beside the listener, on loopback by default and never exposed without a token.
@Suite struct ServeInspectorTests {
    @Test func inspectorListsWhatTheListenerCaptured() async throws {
        let directory = try TemporaryDirectory()
        let serve = try await ServeProcess(database: directory.file("h.sqlite"))
        defer { serve.terminate() }
        let inspectorPort = try #require(serve.inspectorPort)
        let capture = try RawConnection(port: serve.port)
        try capture.send("POST /seen-by-inspector HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}")
        _ = try await capture.response()
        let api = try RawConnection(port: inspectorPort)
        try api.send("GET /api/captures HTTP/1.1\r\nHost: 127.0.0.1:\(inspectorPort)\r\n\r\n")
        let response = try await api.response()
        #expect(response.status == 200)
        let json = try JSONSerialization.jsonObject(with: Data(response.body)) as! [String: Any]
        let captures = json["captures"] as! [[String: Any]]
        #expect(captures.map { $0["target"] as! String } == ["/seen-by-inspector"])

        let rebinding = try RawConnection(port: inspectorPort)
        try rebinding.send("GET /api/captures HTTP/1.1\r\nHost: attacker.example\r\n\r\n")
        #expect(try await rebinding.response().status == 403)
    }

    /// Behind a reverse proxy the inspector is reached under the proxy's name; `--inspect-allow-host` adds that
    /// name (with or without a port) and no other.
    @Test func aProxyNameIsAnsweredOnlyWhenAllowed() async throws {
        let directory = try TemporaryDirectory()
        let serve = try await ServeProcess(
            database: directory.file("h.sqlite"), arguments: ["--inspect-allow-host", "Relay.Example.com:443"])
        defer { serve.terminate() }
        let inspectorPort = try #require(serve.inspectorPort)
        func status(host: String) async throws -> Int {
            let api = try RawConnection(port: inspectorPort)
            try api.send("GET /api/captures HTTP/1.1\r\nHost: \(host)\r\n\r\n")
            return try await api.response().status
        }
        #expect(try await status(host: "relay.example.com") == 200)
        #expect(try await status(host: "relay.example.com:443") == 200)
        #expect(try await status(host: "other.example.com") == 403)
    }

    @Test func nonLoopbackInspectorWithoutATokenRefusesToStart() async throws {
        let directory = try TemporaryDirectory()
        let result = try await HookstashProcess.run(
            ["serve", "--db", directory.file("h.sqlite"), "--listen", "127.0.0.1:0", "--inspect", "0.0.0.0:0"],
            environment: ["HOOKSTASH_TOKEN": ""])
        #expect(result.status == 1)
        #expect(result.stderr.contains("without a token"))
        #expect(
            result.stderr.contains("pass --inspect-token (or set HOOKSTASH_TOKEN), or use --inspect 127.0.0.1:4040"),
            "\(result.stderr)")
    }
}
