import Foundation
import HookstashCore
import HookstashTestSupport
import Testing

/// `hookstash replay ID --to URL` with edits: the request arrives with exactly the edits, re-signed over the edited
/// body, the delivery record lists each edit, and `--save` keeps the request as sent for `diff`.
@Suite struct EditReplayTests {
    @Test func editsArriveExactlyReSignedListedAndSaved() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let secret = "front-api-secret"
        let serve = try await ServeProcess(
            database: database, arguments: ["--scheme", "front", "--secret", secret, "--inspect", "off"])
        let body = "{\n  \"type\": \"invoice.created\",\n  \"data\": {\"amount\": 100}\n}"
        let signature = try await HookstashProcess.run(
            ["sign", "--scheme", "front", "--secret", secret, "--body", "-"], stdin: Data(body.utf8)
        ).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let connection = try RawConnection(port: serve.port)
        try connection.send(
            "POST /hooks/front?x=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: Front\r\n\(signature)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        #expect(try await connection.response().status == 200)
        _ = try await serve.stop()

        let recorder = try RecordingServer()
        defer { recorder.stop() }
        let replay = try await HookstashProcess.run([
            "replay", "1", "--to", recorder.url, "--db", database, "--json",
            "--json-set", "/data/amount=4200", "--json-set", "/type=invoice.paid", "--set-header", "X-Env: staging",
            "--remove-header", "User-Agent", "--set-method", "PUT", "--set-path", "/edited",
            "--resign", "--secret", secret, "--save",
        ])
        #expect(replay.status == 0, "\(replay.stderr)")
        let received = try #require(await recorder.requests(atLeast: 1).first)
        let edited = "{\n  \"type\": \"invoice.paid\",\n  \"data\": {\"amount\": 4200}\n}"
        #expect(received.requestLine == "PUT /edited?x=1 HTTP/1.1")
        #expect(received.body == Array(edited.utf8))
        #expect(!received.headerLines.contains { $0.lowercased().hasPrefix("user-agent") })
        #expect(received.headerLines.contains("X-Env: staging"))
        #expect(received.headerLines.contains("Content-Length: \(edited.utf8.count)"))
        // Re-signed over the edited body, as Front signs: base64 HMAC-SHA1 of the raw body.
        let expected = try Base64.encode(HMAC.code(.sha1, key: Array(secret.utf8), message: Array(edited.utf8)))
        #expect(received.headerLines.contains("X-Front-Signature: \(expected)"))

        let record = try #require(try JSONSerialization.jsonObject(with: replay.stdout) as? [String: Any])
        let detail = try #require(record["detail"] as? [String: Any])
        let request = try #require(detail["request"] as? [String: Any])
        let codes = (request["change_details"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        for code in [
            "method_edited", "request_target_edited", "json_value_set", "header_added", "header_removed",
            "resigned", "content_length_recomputed",
        ] {
            #expect(codes.contains(code), "\(code) in \(codes)")
        }
        #expect(codes.filter { $0 == "json_value_set" }.count == 2)
        let saved = try #require(record["saved_capture_id"] as? Int)
        #expect(saved == 2)

        let show = try await HookstashProcess.run(["show", "2", "--body", "--db", database])
        #expect(show.stdout == Data(edited.utf8))
        let diff = try await HookstashProcess.run(["diff", "1", "2", "--db", database])
        #expect(diff.status == 1)
        #expect(diff.stdoutText.contains("method: POST → PUT"), "\(diff.stdoutText)")
        #expect(diff.stdoutText.contains("~ /data/amount: 100 → 4200"), "\(diff.stdoutText)")
        #expect(diff.stdoutText.contains("+ X-Env: staging"), "\(diff.stdoutText)")
    }

    @Test func editsThatCannotBeMadeSayWhyAndSendNothing() async throws {
        let store = try TestCaptures.temporaryStore()
        let id = try store.insert([
            TestCaptures.make(headers: [("Content-Length", "4")], body: Array("text".utf8))
        ])[0]
        let recorder = try RecordingServer()
        defer { recorder.stop() }
        let notJSON = try await HookstashProcess.run([
            "replay", "\(id)", "--to", recorder.url, "--db", store.path, "--json-set", "/a=1",
        ])
        #expect(notJSON.status == 1)
        #expect(notJSON.stderr.contains("cannot set /a: the body is not JSON"), "\(notJSON.stderr)")
        for bad in [
            ["--json-set", "a=1"], ["--json-set", "/a"], ["--set-method", "GE T"], ["--set-path", "relative"],
            ["--set-header", "X-Only:"], ["--json-set", "=1"],
        ] {
            let usage = try await HookstashProcess.run(
                ["replay", "\(id)", "--to", recorder.url, "--db", store.path] + bad)
            #expect(usage.status == 2, "\(bad): \(usage.stderr)")
        }
        #expect(recorder.requests.isEmpty)
    }
}
