import Foundation
import HookstashTestSupport
import Testing

/// The replay guard and the signing oracle, through the real commands: `replay`, `send`, `pull`, `serve` (with
/// its inspector's replay API) and `show`/`verify`. Refused targets are refused before a connection is made, so
/// nothing here leaves the machine; names reach loopback through `--resolve`.
@Suite struct DeliveryGuardEndToEndTests {
    /// A store with one capture (id 1) of `body` sent with `headers`, written by a `serve` run with `arguments`.
    static func store(
        in directory: TemporaryDirectory, headers: String = "", body: String = "{}", arguments: [String] = []
    ) throws -> String {
        let database = directory.file("h.sqlite")
        let serve = try ServeProcess(database: database, arguments: ["--inspect", "off"] + arguments)
        let connection = try RawConnection(port: serve.port)
        try connection.send(
            "POST /hook HTTP/1.1\r\nHost: relay.example\r\n\(headers)Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        _ = try connection.readResponse()
        #expect(serve.stop() == 0)
        return database
    }

    /// POSTs `json` to the inspector's replay API; the status and the answer's JSON.
    static func replayAPI(port: Int, id: Int, json: String) throws -> (status: Int, body: [String: Any]) {
        let connection = try RawConnection(port: port)
        try connection.send(
            "POST /api/captures/\(id)/replay HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(json.utf8.count)\r\n\r\n\(json)")
        let response = try connection.readResponse()
        let body = (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
        return (response.status, body)
    }

    @Test func replayToTheMetadataAddressIsRefusedAndSaysHowToAllowIt() throws {
        let directory = try TemporaryDirectory()
        let database = try Self.store(in: directory)
        for target in [
            "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://[::ffff:169.254.169.254]/",
            "http://metadata.google.internal/computeMetadata/v1/",
        ] {
            let result = try HookstashProcess.run(["replay", "1", "--to", target, "--db", database])
            #expect(result.status == 1, "\(target)")
            #expect(result.stderr.contains("refusing to deliver to"), "\(result.stderr)")
            #expect(result.stderr.contains("--allow-target"), "\(result.stderr)")
        }
        let list = try HookstashProcess.run(["show", "1", "--json", "--db", database])
        let capture = try #require(try JSONSerialization.jsonObject(with: list.stdout) as? [String: Any])
        #expect((capture["deliveries"] as? [Any])?.isEmpty == true, "nothing was attempted or recorded")
    }

    @Test func aMetadataNameIsDeliveredToOnlyWhenAllowed() throws {
        let directory = try TemporaryDirectory()
        let database = try Self.store(in: directory)
        let app = try LocalAppRecorder()
        let resolve = ["--resolve", "metadata:\(app.port):127.0.0.1"]
        let refused = try HookstashProcess.run(
            ["replay", "1", "--to", "http://metadata:\(app.port)/", "--db", database] + resolve)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("pass --allow-target metadata"), "\(refused.stderr)")
        let allowed = try HookstashProcess.run(
            ["replay", "1", "--to", "http://metadata:\(app.port)/", "--allow-target", "metadata", "--db", database]
                + resolve)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(app.waitFor(1, seconds: 10))
        #expect(app.bodies == ["{}"])
    }

    @Test func sendAndPullRefuseAMetadataTarget() throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("event.json")
        try Data("{}".utf8).write(to: URL(fileURLWithPath: file))
        let send = try HookstashProcess.run(
            ["send", file, "--to", "http://169.254.169.254/", "--scheme", "none"])
        #expect(send.status == 1)
        #expect(send.stderr.contains("--allow-target 169.254.0.0/16"), "\(send.stderr)")
        let pull = try HookstashProcess.run(
            [
                "pull", "--from", "http://127.0.0.1:9/", "--to", "http://[fd00:ec2::254]/", "--db",
                directory.file("p.sqlite"),
            ])
        #expect(pull.status == 1)
        #expect(pull.stderr.contains("--to: refusing to deliver to fd00:ec2::254"), "\(pull.stderr)")
    }

    @Test func serveRefusesToForwardToAMetadataAddress() throws {
        let directory = try TemporaryDirectory()
        let result = try HookstashProcess.run([
            "serve", "--db", directory.file("h.sqlite"), "--listen", "127.0.0.1:0", "--inspect", "off", "--forward",
            "http://169.254.169.254/latest/meta-data/",
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--allow-target 169.254.0.0/16"), "\(result.stderr)")
    }

    /// The inspector's replay API: an SSRF for anyone past the request guard, without the replay guard.
    @Test func theInspectorsReplayAnswersATypedRefusal() throws {
        let directory = try TemporaryDirectory()
        let serve = try ServeProcess(database: directory.file("h.sqlite"))
        defer { serve.stop() }
        try sendCapture(port: serve.port, body: "{}")
        let inspector = try #require(serve.inspectorPort)
        let refused = try Self.replayAPI(
            port: inspector, id: 1, json: #"{"to":"http://169.254.169.254/latest/meta-data/"}"#)
        #expect(refused.status == 403)
        #expect(refused.body["code"] as? String == "target_not_allowed")
        #expect((refused.body["error"] as? String)?.contains("169.254.0.0/16") == true, "\(refused.body)")
    }

    /// `serve --allow-target` lifts the guard for the range given and no wider (reaching an allowed metadata
    /// address would leave the machine, so only the refusals around it are checked here, with a loopback replay).
    @Test func serveAllowsOnlyTheRangeItIsGiven() throws {
        let directory = try TemporaryDirectory()
        let app = try LocalAppRecorder()
        let serve = try ServeProcess(
            database: directory.file("h.sqlite"), arguments: ["--allow-target", "169.254.169.254/32"])
        defer { serve.stop() }
        try sendCapture(port: serve.port, body: "{}")
        let inspector = try #require(serve.inspectorPort)
        let answer = try Self.replayAPI(port: inspector, id: 1, json: #"{"to":"http://127.0.0.1:\#(app.port)/hook"}"#)
        #expect(answer.status == 200, "\(answer.body)")
        #expect(app.waitFor(1, seconds: 10))
        let stillRefused = try Self.replayAPI(port: inspector, id: 1, json: #"{"to":"http://169.254.169.253/"}"#)
        #expect(stillRefused.status == 403)
        #expect(stillRefused.body["code"] as? String == "target_not_allowed")
    }
}

/// Re-signing only what was verified, and the expected signature kept out of what is stored and shown.
@Suite struct SigningOracleEndToEndTests {
    static let secret = "gh-secret"
    /// A GitHub signature that does not match: the capture's verdict is `invalid`.
    static let forged = "X-Hub-Signature-256: sha256=" + String(repeating: "0", count: 64) + "\r\n"

    @Test func replayDoesNotResignACaptureWhoseSignatureIsInvalidUnlessAsked() throws {
        let directory = try TemporaryDirectory()
        let database = try DeliveryGuardEndToEndTests.store(
            in: directory, headers: Self.forged, arguments: ["--scheme", "github", "--secret", Self.secret])
        let app = try LocalAppRecorder()
        let base = ["replay", "1", "--to", "http://127.0.0.1:\(app.port)/hook", "--db", database, "--resign"]
        let refused = try HookstashProcess.run(base + ["--secret", "local-secret"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("capture 1 was not re-signed: its signature is invalid"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--resign-unverified"), "\(refused.stderr)")
        usleep(300_000)
        #expect(app.bodies.isEmpty)

        let asked = try HookstashProcess.run(base + ["--secret", "local-secret", "--resign-unverified"])
        #expect(asked.status == 0, "\(asked.stderr)")
        #expect(app.waitFor(1, seconds: 10))
    }

    @Test func theInspectorsReplayRefusesToResignAnUnverifiedCapture() throws {
        let directory = try TemporaryDirectory()
        let serve = try ServeProcess(
            database: directory.file("h.sqlite"), arguments: ["--scheme", "github", "--secret", Self.secret])
        defer { serve.stop() }
        let connection = try RawConnection(port: serve.port)
        try connection.send("POST /hook HTTP/1.1\r\nHost: x\r\n\(Self.forged)Content-Length: 2\r\n\r\n{}")
        _ = try connection.readResponse()
        let app = try LocalAppRecorder()
        let inspector = try #require(serve.inspectorPort)
        let to = "http://127.0.0.1:\(app.port)/hook"
        let refused = try DeliveryGuardEndToEndTests.replayAPI(
            port: inspector, id: 1, json: #"{"to":"\#(to)","resign":true}"#)
        #expect(refused.status == 403)
        #expect(refused.body["code"] as? String == "signature_not_verified")
        let asked = try DeliveryGuardEndToEndTests.replayAPI(
            port: inspector, id: 1, json: #"{"to":"\#(to)","resign":true,"resign_unverified":true}"#)
        #expect(asked.status == 200, "\(asked.body)")
        #expect(asked.body["resigned"] as? Bool == true)
        #expect(app.waitFor(1, seconds: 10))
        #expect(app.bodies.count == 1)
    }

    /// The expected signature is the HMAC, under the configured secret, of a body the sender chose: stored and
    /// shown as its first 8 characters; `verify`, which is given the secret, prints it whole.
    @Test func theExpectedSignatureIsAbbreviatedEverywhereButVerify() throws {
        let directory = try TemporaryDirectory()
        let database = try DeliveryGuardEndToEndTests.store(
            in: directory, headers: Self.forged, body: #"{"pick":"any body"}"#,
            arguments: ["--scheme", "github", "--secret", Self.secret])
        let json = try HookstashProcess.run(["show", "1", "--json", "--db", database])
        let capture = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        let signature = try #require(capture["signature"] as? [String: Any])
        #expect(signature["status"] as? String == "invalid")
        let shown = try #require(signature["expected"] as? String)
        #expect(shown.count == 9 && shown.hasSuffix("…"), "\(shown)")

        let verify = try HookstashProcess.run([
            "verify", "1", "--scheme", "github", "--secret", Self.secret, "--db", database,
        ])
        #expect(verify.status == 1)
        let line = try #require(verify.stdoutText.split(separator: "\n").first { $0.hasPrefix("expected:") })
        let whole = line.split(separator: " ").last.map(String.init) ?? ""
        #expect(whole.count > 60, "\(line)")
        #expect(whole.hasPrefix(String(shown.dropLast())))

        let text = try HookstashProcess.run(["show", "1", "--db", database])
        #expect(!text.stdoutText.contains(whole))
        for file in [database, database + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let stored = try String(contentsOfFile: file, encoding: .isoLatin1)
            #expect(!stored.contains(whole), "the whole expected signature is not in \(file)")
        }
    }
}
