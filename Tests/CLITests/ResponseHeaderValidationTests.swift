import Foundation
import HookstashTestSupport
import Testing

/// `serve` refuses, before it listens, a configured response header that is not a one-line `Name: value` with a
/// token name, or that sets what the listener computes itself; a valid custom header is still answered.
@Suite struct ResponseHeaderValidationTests {
    @Test(arguments: [
        ("Content-Length: 5", "Content-Length is computed by the listener"),
        ("transfer-encoding: chunked", "Transfer-Encoding is computed by the listener"),
        ("Connection: close", "Connection is computed by the listener"),
        ("Upgrade: h2c", "Upgrade is computed by the listener"),
        ("X Bad: v", "'X Bad' has a byte at 1 that is not allowed in a name"),
        ("X(y): v", "'X(y)' has a byte at 1 that is not allowed in a name"),
    ])
    func badResponseHeaderFlagIsBadUsage(_ header: String, _ words: String) async throws {
        let directory = try TemporaryDirectory()
        let result = try await HookstashProcess.run([
            "serve", "--response-header", header, "--db", directory.file("h.sqlite"), "--listen", "127.0.0.1:0",
            "--inspect", "off",
        ])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--response-header"), "\(result.stderr)")
        #expect(result.stderr.contains(words), "\(result.stderr)")
    }

    @Test func badResponseHeaderInTheConfigFileNamesFileAndLine() async throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("hookstash.toml")
        try Data(
            """
            [[endpoint]]
            path = "/hooks"
            [endpoint.response]
            status = 202
            headers = ["X-Fine: 1", "Content-Length: 0"]

            """.utf8
        ).write(to: URL(fileURLWithPath: config))
        let result = try await HookstashProcess.run([
            "serve", "--config", config, "--db", directory.file("h.sqlite"), "--listen", "127.0.0.1:0", "--inspect",
            "off",
        ])
        // As every configuration error: exit 1, the file and line named, nothing listening.
        #expect(result.status == 1, "\(result.stderr)")
        #expect(
            result.stderr.contains("\(config), line 5: Content-Length is computed by the listener"),
            "\(result.stderr)")
    }

    @Test func validCustomHeadersFromFlagAndConfigAreAnswered() async throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("hookstash.toml")
        try Data(
            """
            [[endpoint]]
            path = "/hooks"
            [endpoint.response]
            status = 202
            headers = ["X-From-Config!: yes"]

            """.utf8
        ).write(to: URL(fileURLWithPath: config))
        let serve = try await ServeProcess(
            database: directory.file("h.sqlite"),
            arguments: ["--config", config, "--response-header", "X-Token#Name_1: flag value"])
        defer { serve.terminate() }
        let plain = try RawConnection(port: serve.port)
        try plain.send("POST /other HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        let answer = try await plain.response()
        #expect(answer.status == 200)
        #expect(answer.header("X-Token#Name_1") == "flag value")
        let configured = try RawConnection(port: serve.port)
        try configured.send("POST /hooks/a HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        let reply = try await configured.response()
        #expect(reply.status == 202)
        #expect(reply.header("X-From-Config!") == "yes")
    }
}
