import Foundation
import HookstashTestSupport
import Testing

/// The published signature vectors, sent over a socket to a running `hookstash serve --config`, come out `valid`;
/// the same requests with one body byte changed come out `invalid`.
@Suite struct SignatureEndToEndTests {
    struct Vector: Decodable {
        var provider: String
        var secret: String
        var payload: String
        var headers: [String: String]
        var url: String?

        var scheme: String {
            switch provider {
            case "GitHub": "github"
            case "Stripe": "stripe"
            case "Slack": "slack"
            case "Twilio": "twilio"
            case "Paddle Billing": "paddle"
            case "Square": "square"
            case "Shopify": "shopify"
            case "Front": headers["X-Front-Request-Timestamp"] == nil ? "front" : "front-app"
            default: "standard-webhooks"
            }
        }
    }

    /// The vectors the signatures tests carry as a resource (`Tests/HookstashSignaturesTests/Fixtures`).
    static func vectors() async throws -> [Vector] {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(
            contentsOf: tests.appendingPathComponent("HookstashSignaturesTests/Fixtures/signature-vectors.json"))
        return try JSONDecoder().decode([Vector].self, from: data)
    }

    /// Where each vector is delivered, and the public base URL the sender signed (URL-signed schemes).
    static func placement(_ vector: Vector, index: Int) -> (target: String, prefix: String, publicURL: String?) {
        guard let url = vector.url, let schemeEnd = url.range(of: "://") else {
            return ("/v/\(index)", "/v/\(index)", nil)
        }
        let rest = url[schemeEnd.upperBound...]
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let target = String(rest[slash...])
        let path = String(target.split(separator: "?", maxSplits: 1).first ?? "")
        return (target, path, String(url[..<slash]))
    }

    @Test func publishedVectorsAreValidThroughARunningServer() async throws {
        let vectors = try await Self.vectors()
        let directory = try TemporaryDirectory()
        var toml = ""
        for (index, vector) in vectors.enumerated() {
            let place = Self.placement(vector, index: index)
            toml += "[[endpoint]]\npath = \"\(place.prefix)\"\nscheme = \"\(vector.scheme)\"\n"
            toml += "secrets = [\"\(vector.secret)\"]\n"
            if let publicURL = place.publicURL { toml += "public_url = \"\(publicURL)\"\n" }
            toml += "\n"
        }
        try toml.write(toFile: directory.file("vectors.toml"), atomically: true, encoding: .utf8)
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(
            database: database, arguments: ["--config", directory.file("vectors.toml"), "--quiet"])
        defer { serve.terminate() }

        for tampered in [false, true] {
            for (index, vector) in vectors.enumerated() {
                var body = Array(vector.payload.utf8)
                if tampered { body[body.count / 2] ^= 0x01 }
                var head = "POST \(Self.placement(vector, index: index).target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                for (name, value) in vector.headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
                head += "Content-Length: \(body.count)\r\n\r\n"
                let connection = try RawConnection(port: serve.port)
                try connection.send(Array(head.utf8) + body)
                #expect(try await connection.response().status == 200)
            }
        }
        let list = try await HookstashProcess.run(["list", "--json", "--limit", "100", "--db", database])
        let captures =
            (try JSONSerialization.jsonObject(with: list.stdout) as! [String: Any])["captures"] as! [[String: Any]]
        let statuses = captures.reversed().map { $0["signature"] as! String }
        #expect(
            statuses == Array(repeating: "valid", count: vectors.count)
                + Array(repeating: "invalid", count: vectors.count))

        // The verdict is in `show --json`, with the scheme and header, and never the secret.
        let show = try await HookstashProcess.run(["show", "1", "--json", "--db", database])
        let signature =
            (try JSONSerialization.jsonObject(with: show.stdout) as! [String: Any])["signature"] as! [String: Any]
        #expect(signature["scheme"] as? String == vectors[0].scheme)
        #expect(signature["status"] as? String == "valid")
        #expect(!show.stdoutText.contains(vectors[0].secret))
    }

    @Test func invalidFrontSignatureIsExplainedInShow() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("h.sqlite")
        let secret = "front-api-secret"
        let body = #"{"type":"inbound","conversation":{"id":"cnv_1"}}"#
        // The sender signed the body with a trailing newline that never went on the wire.
        let signed = try await HookstashProcess.run(
            ["sign", "--scheme", "front", "--secret", secret, "--body", "-"], stdin: Data((body + "\n").utf8))
        #expect(signed.status == 0)
        let header = signed.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let serve = try await ServeProcess(database: database, arguments: ["--scheme", "front", "--secret", secret])
        defer { serve.terminate() }
        let connection = try RawConnection(port: serve.port)
        try connection.send("POST /front HTTP/1.1\r\n\(header)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        #expect(try await connection.response().status == 200)
        let show = try await HookstashProcess.run(["show", "1", "--db", database])
        #expect(show.stdoutText.contains("signature: invalid (front, X-Front-Signature)"))
        #expect(show.stdoutText.lowercased().contains("trailing newline"))
        let verify = try await HookstashProcess.run([
            "verify", "1", "--scheme", "front", "--secret", secret, "--db", database,
        ])
        #expect(verify.status == 1)
    }
}
