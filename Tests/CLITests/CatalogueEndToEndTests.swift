import Foundation
import HookstashTestSupport
import Testing

/// Every provider of the catalogue (`Tests/HookstashSignaturesTests/Fixtures/catalogue-vectors.json`), signed by
/// Python's `hmac` from the provider's documented recipe and sent over a socket to a running `hookstash serve
/// --config` whose endpoints name the schemes: `valid`, and `invalid` with one body byte changed (tokens cover no
/// body: still `valid`).
@Suite struct CatalogueEndToEndTests {
    struct Vector: Decodable {
        var scheme: String
        var secret: String
        var payload: String
        var signed: String
        var digest: String
        var encoding: String
        var headers: [String: String]
        var timestamp: String?
        var id: String?
        var url: String?
        var extra_headers: [String: String]?
    }

    static func vectors() throws -> [Vector] {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(
            contentsOf: tests.appendingPathComponent("HookstashSignaturesTests/Fixtures/catalogue-vectors.json"))
        return try JSONDecoder().decode([Vector].self, from: data)
    }

    /// The signature by Python's `hmac` over the recipe with the vector's values (the body as given).
    static func signature(_ vector: Vector, body: String) async throws -> String {
        if vector.digest == "token" { return vector.secret }
        var message = vector.signed
        for (name, value) in [
            ("{timestamp}", vector.timestamp ?? ""), ("{id}", vector.id ?? ""), ("{method}", "POST"),
            ("{url}", vector.url ?? ""),
        ] {
            message = message.replacingOccurrences(of: name, with: value)
        }
        message = message.replacingOccurrences(of: "{body}", with: body)
        let program =
            "import sys, hmac, hashlib, base64; m = hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), "
            + "getattr(hashlib, sys.argv[3])).digest(); print(m.hex() if sys.argv[4] == 'hex' else "
            + "base64.b64encode(m).decode())"
        return try await HookstashTestShell.python(
            program, arguments: [vector.secret, message, vector.digest, vector.encoding])
    }

    static func target(_ vector: Vector, index: Int) -> (target: String, prefix: String, publicURL: String?) {
        guard let url = vector.url, let schemeEnd = url.range(of: "://") else {
            return ("/c/\(index)", "/c/\(index)", nil)
        }
        let rest = url[schemeEnd.upperBound...]
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let target = String(rest[slash...])
        return (target, String(target.split(separator: "?").first ?? ""), String(url[..<slash]))
    }

    @Test func everyCatalogueProviderIsVerifiedByARunningServer() async throws {
        let vectors = try Self.vectors()
        let directory = try TemporaryDirectory()
        var toml = ""
        for (index, vector) in vectors.enumerated() {
            let place = Self.target(vector, index: index)
            toml += "[[endpoint]]\npath = \"\(place.prefix)\"\nscheme = \"\(vector.scheme)\"\n"
            toml += "secret = \"\(vector.secret)\"\n"
            if let publicURL = place.publicURL { toml += "public_url = \"\(publicURL)\"\n" }
            toml += "\n"
        }
        try toml.write(toFile: directory.file("catalogue.toml"), atomically: true, encoding: .utf8)
        let database = directory.file("h.sqlite")
        let serve = try await ServeProcess(
            database: database, arguments: ["--config", directory.file("catalogue.toml"), "--quiet"])
        defer { serve.terminate() }

        var expected: [String] = []
        for tampered in [false, true] {
            for (index, vector) in vectors.enumerated() {
                let signature = try await Self.signature(vector, body: vector.payload)
                var body = Array(vector.payload.utf8)
                if tampered { body[body.count / 2] ^= 0x01 }
                var head = "POST \(Self.target(vector, index: index).target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                let fields = vector.headers.merging(vector.extra_headers ?? [:]) { $1 }
                for (name, template) in fields.sorted(by: { $0.key < $1.key }) {
                    let value = template.replacingOccurrences(of: "{signature}", with: signature)
                        .replacingOccurrences(of: "{timestamp}", with: vector.timestamp ?? "")
                        .replacingOccurrences(of: "{id}", with: vector.id ?? "")
                    head += "\(name): \(value)\r\n"
                }
                head += "Content-Length: \(body.count)\r\n\r\n"
                let connection = try RawConnection(port: serve.port)
                try connection.send(Array(head.utf8) + body)
                #expect(try await connection.response().status == 200)
                expected.append(tampered && vector.digest != "token" ? "invalid" : "valid")
            }
        }
        let list = try await HookstashProcess.run(["list", "--json", "--limit", "200", "--db", database])
        let captures =
            (try JSONSerialization.jsonObject(with: list.stdout) as! [String: Any])["captures"] as! [[String: Any]]
        #expect(captures.reversed().map { $0["signature"] as? String } == expected)
    }
}
