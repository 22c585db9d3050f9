import Foundation
import HookstashTestSupport
import Testing

/// A `[[scheme]]` of the configuration file, through a running `hookstash serve --config`: a request signed by a
/// signer written from `docs/configuration.md` is `valid`, and a broken definition stops start-up naming the file
/// and line.
@Suite struct CustomSchemeEndToEndTests {
    @Test func brokenSchemeDefinitionFailsStartUpWithFileAndLine() async throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("hookstash.toml")
        try Data(
            """
            [[scheme]]
            name = "acme"
            header = "X-Acme-Signature"
            signed = "{timestamp}.{body}"

            [[endpoint]]
            path = "/acme"
            scheme = "acme"

            """.utf8
        ).write(to: URL(fileURLWithPath: config))
        let result = try await HookstashProcess.run([
            "serve", "--config", config, "--db", directory.file("h.sqlite"), "--listen", "127.0.0.1:0", "--inspect",
            "off",
        ])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(
            result.stderr.contains("\(config), line 4: signed: {timestamp} needs timestamp_header or timestamp_key"),
            "\(result.stderr)")
    }

    @Test func customSchemeVerifiesThroughARunningServer() async throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("hookstash.toml")
        let secret = "acme-secret"
        try Data(
            """
            [[scheme]]
            name = "acme"
            header = "X-Acme-Signature"
            encoding = "base64"
            prefix = "v1="
            signed = "{timestamp}:{body}"
            timestamp_header = "X-Acme-Timestamp"

            [[endpoint]]
            path = "/acme"
            scheme = "acme"
            secret = "\(secret)"

            """.utf8
        ).write(to: URL(fileURLWithPath: config))
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(database: database, arguments: ["--config", config, "--quiet"])
        defer { serve.terminate() }

        let body = #"{"event":"ping"}"#
        let timestamp = "1767225600"
        // The independent signer: Python's hmac over the bytes the definition names.
        let python = try await HookstashTestShell.python(
            "import sys, hmac, hashlib, base64; "
                + "print(base64.b64encode(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256)"
                + ".digest()).decode())",
            arguments: [secret, "\(timestamp):\(body)"])
        for tampered in [false, true] {
            let sent = tampered ? body.replacingOccurrences(of: "ping", with: "pong") : body
            let connection = try RawConnection(port: serve.port)
            try connection.send(
                "POST /acme HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Acme-Timestamp: \(timestamp)\r\n"
                    + "X-Acme-Signature: v1=\(python)\r\nContent-Length: \(sent.utf8.count)\r\n\r\n\(sent)")
            #expect(try await connection.response().status == 200)
        }
        let list = try await HookstashProcess.run(["list", "--json", "--db", database])
        let captures =
            (try JSONSerialization.jsonObject(with: list.stdout) as! [String: Any])["captures"] as! [[String: Any]]
        #expect(captures.reversed().map { $0["signature"] as? String } == ["valid", "invalid"])
        let show = try await HookstashProcess.run(["show", "1", "--json", "--db", database])
        let signature =
            (try JSONSerialization.jsonObject(with: show.stdout) as! [String: Any])["signature"] as! [String: Any]
        #expect(signature["scheme"] as? String == "acme")
        #expect(!show.stdoutText.contains(secret))
    }
}

/// Python, run to completion off the cooperative pool, for an independent signer.
enum HookstashTestShell {
    static func python(_ program: String, arguments: [String]) async throws -> String {
        try await offThePool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", program] + arguments
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
