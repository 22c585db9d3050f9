import Foundation
import HookstashTestSupport
import Testing

/// `hookstash diff` and the inspector's diff API over captures a real `serve` took: two requests compared, and
/// bodies whose signature failed compared with the body the sender signed.
@Suite struct DiffCommandTests {
    static let secret = "front-api-secret"

    /// Signs `signed` as Front does and sends `sent` with that signature to `/front` on `port`.
    static func send(_ sent: String, signedAs signed: String, port: Int, extra: String = "") async throws {
        let header = try await HookstashProcess.run(
            ["sign", "--scheme", "front", "--secret", secret, "--body", "-"], stdin: Data(signed.utf8)
        ).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let connection = try RawConnection(port: port)
        try connection.send(
            "POST /front HTTP/1.1\r\nHost: h\r\n\(header)\r\n\(extra)Content-Length: \(sent.utf8.count)\r\n\r\n\(sent)")
        #expect(try await connection.response().status == 200)
    }

    static func object(_ data: Data) throws -> Any {
        try JSONSerialization.jsonObject(with: data)
    }

    @Test func capturesAndSignedBodiesThroughTheCommandAndTheAPI() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(
            database: database, arguments: ["--scheme", "front", "--secret", Self.secret])
        defer { serve.terminate() }
        let compact = #"{"type":"inbound","conversation":{"id":"cnv_1"}}"#
        let pretty = "{\n  \"type\": \"inbound\",\n  \"conversation\": {\n    \"id\": \"cnv_1\"\n  }\n}"
        // 1: a trailing newline added after signing. 2: pretty-printed after the compact body was signed.
        try await Self.send(compact + "\n", signedAs: compact, port: serve.port, extra: "X-Run: 1\r\n")
        try await Self.send(pretty, signedAs: compact, port: serve.port)
        // 3: valid, with a changed value and a different header set.
        let changed = #"{"type":"outbound","conversation":{"id":"cnv_1"}}"#
        try await Self.send(changed, signedAs: changed, port: serve.port, extra: "x-run: 2\r\n")

        let newline = try await HookstashProcess.run(["diff", "1", "--signed", "--db", database, "--json"])
        #expect(newline.status == 1, "\(newline.stderr)")
        let newlineDiffs = try #require(try Self.object(newline.stdout) as? [[String: Any]])
        let added = try #require(newlineDiffs.first { $0["code"] as? String == "body_trailing_newline_added" })
        #expect((added["difference"] as? [String: Any])?["offset"] as? Int == compact.utf8.count)
        #expect(added["received_size"] as? Int == compact.utf8.count + 1)
        #expect(added["signed_size"] as? Int == compact.utf8.count)

        let reserialized = try await HookstashProcess.run(["diff", "2", "--signed", "--db", database, "--json"])
        let prettyDiffs = try #require(try Self.object(reserialized.stdout) as? [[String: Any]])
        let compactFinding = try #require(prettyDiffs.first { $0["code"] as? String == "body_reserialized_compact" })
        // `{` is common; the received body goes on with a line feed where the signed one has `"`.
        let difference = try #require(compactFinding["difference"] as? [String: Any])
        #expect(difference["offset"] as? Int == 1)
        #expect(difference["old_after"] as? String == String(pretty.dropFirst().prefix(32)))
        let text = try await HookstashProcess.run(["diff", "2", "--signed", "--db", database])
        #expect(text.stdoutText.contains("first difference at byte 1"), "\(text.stdoutText)")
        #expect(text.stdoutText.contains(#"signed:   "type":"inbound""#), "\(text.stdoutText)")

        let captures = try await HookstashProcess.run(["diff", "1", "3", "--db", database])
        #expect(captures.status == 1)
        #expect(captures.stdoutText.contains("~ X-Run → x-run (the name's case)"), "\(captures.stdoutText)")
        #expect(captures.stdoutText.contains("~ X-Run: 1 → 2") || captures.stdoutText.contains("~ x-run: 1 → 2"))
        #expect(captures.stdoutText.contains(#"~ /type: "inbound" → "outbound""#), "\(captures.stdoutText)")
        let same = try await HookstashProcess.run(["diff", "3", "3", "--db", database])
        #expect(same.status == 0)
        #expect(same.stdoutText.hasSuffix("identical\n"))
        let usage = try await HookstashProcess.run(["diff", "1", "--db", database])
        #expect(usage.status == 2)
        let missing = try await HookstashProcess.run(["diff", "1", "99", "--db", database])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no capture with id 99"), "\(missing.stderr)")

        // The API gives the same document.
        let port = try #require(serve.inspectorPort)
        let connection = try RawConnection(port: port)
        try connection.send("GET /api/captures/1/diff/3 HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        let answer = try await connection.response()
        #expect(answer.status == 200)
        let document = try #require(try Self.object(Data(answer.body)) as? [String: Any])
        #expect(document["identical"] as? Bool == false)
        let body = try #require(document["body"] as? [String: Any])
        #expect(body["kind"] as? String == "json")
        let changes = try #require(body["changes"] as? [[String: Any]])
        #expect(changes.first?["pointer"] as? String == "/type")
        let signed = try RawConnection(port: port)
        try signed.send("GET /api/captures/2/signed-diff HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        let signedAnswer = try await signed.response()
        #expect(signedAnswer.status == 200)
        #expect(String(decoding: signedAnswer.body, as: UTF8.self).contains("body_reserialized_compact"))
    }

    @Test func attackerControlledValuesCannotForgeLinesOfTheDiff() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(database: database)
        defer { serve.terminate() }
        for body in ["a\n", "a\u{1b}[2J\u{1b}]0;pwned\u{07}\n+ forged line\n"] {
            let connection = try RawConnection(port: serve.port)
            try connection.send(
                "POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
                    + body)
            #expect(try await connection.response().status == 200)
        }
        let diff = try await HookstashProcess.run(["diff", "1", "2", "--db", database])
        #expect(diff.status == 1)
        #expect(!diff.stdout.contains(0x1b))
        #expect(!diff.stdout.contains(0x07))
        // The body's own "+ forged line" is shown as an added line, marked, not as a line of hookstash's own.
        #expect(diff.stdoutText.contains("  ++ forged line"), "\(diff.stdoutText)")
    }
}
