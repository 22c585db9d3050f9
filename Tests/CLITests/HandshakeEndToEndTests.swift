import Foundation
import HookstashTestSupport
import Testing

/// The handshakes providers make before they send webhooks, answered by a running `hookstash serve --config` on the
/// path whose scheme names the provider, and only when they should be.
@Suite struct HandshakeEndToEndTests {
    static let config = """
        [[endpoint]]
        path = "/zoom"
        scheme = "zoom"
        secret = "zoom-secret-token"

        [[endpoint]]
        path = "/asana"
        scheme = "asana"

        [[endpoint]]
        path = "/meta"
        scheme = "meta"
        secret = "meta-app-secret"
        verify_token = "meatyhamhock"

        [[endpoint]]
        path = "/dropbox"
        scheme = "dropbox"
        secret = "dropbox-app-secret"

        [[endpoint]]
        path = "/okta"
        scheme = "okta"
        secret = "okta-authorization"

        [[endpoint]]
        path = "/github"
        scheme = "github"
        secret = "github-secret"

        """

    /// A running server with the configuration above, and a way to send it raw requests.
    final class Server {
        let directory: TemporaryDirectory
        let serve: ServeProcess

        init(config: String = HandshakeEndToEndTests.config) async throws {
            directory = try TemporaryDirectory()
            try config.write(toFile: directory.file("hookstash.toml"), atomically: true, encoding: .utf8)
            serve = try await ServeProcess(
                database: directory.file("h.sqlite"), arguments: ["--config", directory.file("hookstash.toml")])
        }

        func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: String = "")
            async throws -> RawResponse
        {
            var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "Content-Length: \(body.utf8.count)\r\n\r\n"
            let connection = try RawConnection(port: serve.port)
            try connection.send(head + body)
            return try await connection.response()
        }

        deinit { serve.terminate() }
    }

    /// Python's `hmac`, the independent signer.
    static func hmacHex(_ secret: String, _ message: String) async throws -> String {
        try await offThePool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", "-c",
                "import sys, hmac, hashlib; print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), "
                    + "hashlib.sha256).hexdigest())",
                secret, message,
            ]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    @Test func zoomURLValidationIsAnsweredOnlyWhenZoomSignedIt() async throws {
        let server = try await Server()
        let body =
            #"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#
        let timestamp = String(Int(Date().timeIntervalSince1970))
        let signature = try await Self.hmacHex("zoom-secret-token", "v0:\(timestamp):\(body)")
        let answer = try await server.send(
            "POST", "/zoom",
            headers: [
                ("Content-Type", "application/json"), ("x-zm-request-timestamp", timestamp),
                ("x-zm-signature", "v0=\(signature)"),
            ], body: body)
        #expect(answer.status == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: String])
        #expect(json["plainToken"] == "qgg8vlvZRS6UYooatFL8Aw")
        #expect(json["encryptedToken"] == (try await Self.hmacHex("zoom-secret-token", "qgg8vlvZRS6UYooatFL8Aw")))

        // Unsigned, it gets the configured answer: the endpoint does not compute HMACs for anyone who asks.
        let unsigned = try await server.send(
            "POST", "/zoom", headers: [("Content-Type", "application/json"), ("x-zm-signature", "v0=00")], body: body)
        #expect(unsigned.status == 200)
        #expect(!unsigned.bodyText.contains("encryptedToken"))
    }

    @Test func asanaHookSecretIsEchoed() async throws {
        let server = try await Server()
        let answer = try await server.send(
            "POST", "/asana", headers: [("X-Hook-Secret", "b537207f20cbfa02357cf448134da559")])
        #expect(answer.status == 200)
        #expect(answer.header("X-Hook-Secret") == "b537207f20cbfa02357cf448134da559")
        // A request without it is an ordinary capture.
        let plain = try await server.send("POST", "/asana", body: "{}")
        #expect(plain.header("X-Hook-Secret") == nil)
    }

    @Test func metaChallengeNeedsTheConfiguredVerifyToken() async throws {
        let server = try await Server()
        let query = "hub.mode=subscribe&hub.challenge=1158201444"
        let answer = try await server.send("GET", "/meta?\(query)&hub.verify_token=meatyhamhock")
        #expect(answer.status == 200)
        #expect(answer.bodyText == "1158201444")
        let wrong = try await server.send("GET", "/meta?\(query)&hub.verify_token=guess")
        #expect(wrong.status == 403)
        #expect(!wrong.bodyText.contains("1158201444"))
    }

    @Test func dropboxChallengeIsEchoedOnlyOnADropboxPath() async throws {
        let server = try await Server()
        let answer = try await server.send("GET", "/dropbox?challenge=dHGcdz0lL2m8nLl3pVwZ")
        #expect(answer.status == 200)
        #expect(answer.bodyText == "dHGcdz0lL2m8nLl3pVwZ")
        #expect(answer.header("X-Content-Type-Options") == "nosniff")
        #expect(answer.header("Content-Type") == "text/plain")
        // Not markup, not on another provider's path.
        let markup = try await server.send("GET", "/dropbox?challenge=%3Cscript%3E")
        #expect(!markup.bodyText.contains("script"))
        let elsewhere = try await server.send("GET", "/github?challenge=dHGcdz0lL2m8nLl3pVwZ")
        #expect(elsewhere.bodyText.isEmpty)
    }

    @Test func oktaVerificationChallengeIsAnswered() async throws {
        let server = try await Server()
        let answer = try await server.send(
            "GET", "/okta", headers: [("X-Okta-Verification-Challenge", "3-lCf9bRxEsnNNa2MAO8Qj1wVJmA_pQ0vVyUFkf6")])
        #expect(answer.status == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: String])
        #expect(json == ["verification": "3-lCf9bRxEsnNNa2MAO8Qj1wVJmA_pQ0vVyUFkf6"])

        // The handshakes are captured like any request, with the status they were answered with.
        let list = try await HookstashProcess.run(["list", "--json", "--db", server.directory.file("h.sqlite")])
        let captures =
            (try JSONSerialization.jsonObject(with: list.stdout) as! [String: Any])["captures"] as! [[String: Any]]
        #expect(captures.count == 1)
        // … and say the provider's handshake answered, not the configured answer.
        let show = try await HookstashProcess.run(["show", "1", "--json", "--db", server.directory.file("h.sqlite")])
        let capture = try #require(try JSONSerialization.jsonObject(with: show.stdout) as? [String: Any])
        #expect(capture["answered_by"] as? String == "challenge")
    }

    /// `openssl`, the independent signer, to completion off the cooperative pool.
    static func openssl(_ arguments: [String]) async throws -> [UInt8] {
        try await offThePool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
            return Array(data)
        }
    }

    @Test func discordPingIsAnsweredOnlyWithAValidSignature() async throws {
        let keys = try TemporaryDirectory()
        let key = keys.file("discord.pem")
        _ = try await Self.openssl(["genpkey", "-algorithm", "ed25519", "-out", key])
        let publicKey = try await Self.openssl(["pkey", "-in", key, "-pubout", "-outform", "DER"]).suffix(32)
            .map { String(format: "%02x", $0) }.joined()
        let server = try await Server(
            config: "[[endpoint]]\npath = \"/discord\"\nscheme = \"discord\"\nsecret = \"\(publicKey)\"\n")
        let body = #"{"type":1,"id":"1","application_id":"2","version":1}"#
        let timestamp = String(Int(Date().timeIntervalSince1970))
        try Data((timestamp + body).utf8).write(to: URL(fileURLWithPath: keys.file("message")))
        let signature = try await Self.openssl([
            "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", keys.file("message"),
        ]).map { String(format: "%02x", $0) }.joined()

        let answer = try await server.send(
            "POST", "/discord",
            headers: [
                ("Content-Type", "application/json"), ("X-Signature-Ed25519", signature),
                ("X-Signature-Timestamp", timestamp),
            ], body: body)
        #expect(answer.status == 200)
        #expect(answer.bodyText == #"{"type":1}"#)

        // Discord's endpoint check also sends a PING with a bad signature, and wants 401 for it.
        var forged = Array(signature.utf8)
        forged[0] = forged[0] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let refused = try await server.send(
            "POST", "/discord",
            headers: [
                ("Content-Type", "application/json"), ("X-Signature-Ed25519", String(decoding: forged, as: UTF8.self)),
                ("X-Signature-Timestamp", timestamp),
            ], body: body)
        #expect(refused.status == 401)
        let unsigned = try await server.send(
            "POST", "/discord", headers: [("Content-Type", "application/json")], body: body)
        #expect(unsigned.status == 401)

        let list = try await HookstashProcess.run(["list", "--json", "--db", server.directory.file("h.sqlite")])
        let captures =
            (try JSONSerialization.jsonObject(with: list.stdout) as! [String: Any])["captures"] as! [[String: Any]]
        #expect(captures.reversed().map { $0["signature"] as? String } == ["valid", "invalid", "missing"])
    }
}
