import Foundation
import HookstashCore
import HookstashSignatures
import Testing

/// A provider of the catalogue as `Fixtures/catalogue-vectors.json` describes it: the page its recipe comes from, the
/// signed content, the MAC and the headers, in the provider's words. The signature itself is computed by an
/// independent signer (Python's `hmac`), never by hookstash.
struct CatalogueVector: Decodable, Sendable, CustomTestStringConvertible {
    var scheme: String
    var provider: String
    var source: String
    var secret: String
    var payload: String
    /// The signed content: `{body}`, `{timestamp}`, `{id}`, `{method}`, `{url}` and literal text.
    var signed: String
    var digest: String
    var encoding: String
    /// Header templates: `{signature}`, `{timestamp}`, `{id}`.
    var headers: [String: String]
    var timestamp: String?
    var id: String?
    var url: String?
    var extraHeaders: [String: String]?
    /// The tolerance the provider documents, in seconds.
    var tolerance: Double?
    /// The scheme `auto` names for these headers, when not this one.
    var auto: String?

    enum CodingKeys: String, CodingKey {
        case scheme, provider, source, secret, payload, signed, digest, encoding, headers, timestamp, id, url, tolerance
        case auto
        case extraHeaders = "extra_headers"
    }

    var testDescription: String { scheme }

    /// The header carries the secret itself (GitLab, Okta).
    var isToken: Bool { digest == "token" }

    var hookstashScheme: SignatureScheme { SignatureScheme(rawValue: scheme)! }

    static let all: [CatalogueVector] = {
        guard let url = Bundle.module.url(forResource: "catalogue-vectors", withExtension: "json") else {
            fatalError("catalogue-vectors.json is not among the test target's resources (Package.swift)")
        }
        do {
            return try JSONDecoder().decode([CatalogueVector].self, from: Data(contentsOf: url))
        } catch {
            fatalError("catalogue vectors at \(url.path) do not load: \(error)")
        }
    }()

    /// When the request arrives: a few seconds after the vector's timestamp.
    var receivedAt: Timestamp {
        let base = Timestamp(microsecondsSinceEpoch: 1_767_225_600_000_000)
        return base.adding(seconds: 5)
    }

    /// The signed content for `body`, expanded from the recipe by the test, not by hookstash.
    func message(body: String) -> String {
        var out = ""
        var rest = Substring(signed)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            switch rest[rest.index(after: open)..<close] {
            case "body": out += body
            case "timestamp": out += timestamp ?? ""
            case "id": out += id ?? ""
            case "method": out += "POST"
            case "url": out += url ?? ""
            case let name: fatalError("unknown placeholder {\(name)} in \(scheme)'s recipe")
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The MAC of the signed content by Python's `hmac`, in hex and in base64.
    func independentMAC(body: String) throws -> (hex: String, base64: String) {
        let printed = try python(
            "import sys, hmac, hashlib, base64; m = hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), "
                + "getattr(hashlib, sys.argv[3])).digest(); print(m.hex()); print(base64.b64encode(m).decode())",
            secret, message(body: body), digest)
        let lines = printed.split(separator: "\n").map(String.init)
        guard lines.count == 2 else { throw CocoaError(.fileReadCorruptFile) }
        return (lines[0], lines[1])
    }

    /// What a Python program prints (its last newline removed); throws when it fails.
    func python(_ program: String, _ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", program] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return printed.hasSuffix("\n") ? String(printed.dropLast()) : printed
    }

    /// The request as the provider sends it, its signature written `written` (`hex` or `base64`).
    func request(body: String, signedBody: String? = nil, written: String? = nil, receivedAt: Timestamp? = nil)
        throws -> SignatureRequest
    {
        let signature: String
        if isToken {
            signature = secret
        } else {
            let mac = try independentMAC(body: signedBody ?? body)
            signature = (written ?? encoding) == "hex" ? mac.hex : mac.base64
        }
        var target = "/hook"
        if let url, let afterScheme = url.range(of: "://") {
            let rest = url[afterScheme.upperBound...]
            target = String(rest[(rest.firstIndex(of: "/") ?? rest.endIndex)...])
        }
        var list = HeaderList([("Host", "127.0.0.1:8080"), ("Content-Type", "application/json")])
        for (name, template) in headers.sorted(by: { $0.key < $1.key }) {
            let value = template.replacingOccurrences(of: "{signature}", with: signature)
                .replacingOccurrences(of: "{timestamp}", with: timestamp ?? "")
                .replacingOccurrences(of: "{id}", with: id ?? "")
            list.append(name: name, value: value)
        }
        for (name, value) in (extraHeaders ?? [:]).sorted(by: { $0.key < $1.key }) {
            list.append(name: name, value: value)
        }
        return SignatureRequest(
            method: "POST", target: target, headers: list, body: Array(body.utf8),
            receivedAt: receivedAt ?? self.receivedAt)
    }

    var publicURL: String? {
        guard let url, let afterScheme = url.range(of: "://") else { return nil }
        let rest = url[afterScheme.upperBound...]
        return String(url[..<(rest.firstIndex(of: "/") ?? rest.endIndex)])
    }

    func policy(_ selection: SignatureSchemeSelection? = nil) -> SignaturePolicy {
        SignaturePolicy(scheme: selection ?? .scheme(hookstashScheme), secrets: [secret], publicURL: publicURL)
    }
}

@Suite struct CatalogueTests {
    @Test func theCatalogueHasAtLeastThirtyProvidersEachWithASource() {
        #expect(SignatureScheme.allCases.count >= 30)
        for vector in CatalogueVector.all {
            #expect(vector.source.hasPrefix("https://"), "\(vector.scheme)")
            #expect(SignatureScheme(rawValue: vector.scheme) != nil, "\(vector.scheme)")
        }
    }

    @Test(arguments: CatalogueVector.all)
    func independentlySignedRequestIsValid(_ vector: CatalogueVector) throws {
        let request = try vector.request(body: vector.payload)
        let verdict = SignatureVerifier.verify(request, policy: vector.policy())
        #expect(verdict.status == .valid, "\(verdict.diagnosis)")
        #expect(verdict.scheme == vector.scheme)
        #expect(verdict.matchedSecret == 1)
        #expect(verdict.warnings.isEmpty, "\(verdict.warnings)")
        // `auto` names the scheme from its headers (or the scheme that shares them and signs the same way; or none,
        // for Okta's `Authorization`).
        let detected = SignatureVerifier.verify(request, policy: vector.policy(.auto))
        if vector.auto == "" {
            #expect(detected.scheme == "auto")
            #expect(detected.status == .missing)
        } else {
            #expect(detected.scheme == (vector.auto ?? vector.scheme))
            #expect(detected.status == .valid)
        }
    }

    @Test(arguments: CatalogueVector.all)
    func oneByteBodyChangeIsInvalid(_ vector: CatalogueVector) throws {
        var body = Array(vector.payload.utf8)
        body[body.count / 2] ^= 0x01
        let request = try vector.request(body: String(decoding: body, as: UTF8.self), signedBody: vector.payload)
        let verdict = SignatureVerifier.verify(request, policy: vector.policy())
        guard !vector.isToken else {
            // A token covers nothing of the body (docs/signatures.md says so); another token is invalid.
            #expect(verdict.status == .valid)
            #expect(verdict.expected == nil)
            #expect(verdict.received == nil)
            var other = vector
            other.secret += "x"
            let wrong = SignatureVerifier.verify(try other.request(body: vector.payload), policy: vector.policy())
            #expect(wrong.status == .invalid)
            #expect(wrong.diagnosis.map(\.code) == [.tokenMismatch])
            return
        }
        #expect(verdict.status == .invalid)
        #expect(!verdict.diagnosis.isEmpty)
    }

    @Test(arguments: CatalogueVector.all.filter { $0.timestamp != nil })
    func expiredTimestampIsFlaggedWhereTheProviderHasATolerance(_ vector: CatalogueVector) throws {
        let late = vector.receivedAt.adding(seconds: 3600)
        let verdict = SignatureVerifier.verify(
            try vector.request(body: vector.payload, receivedAt: late), policy: vector.policy())
        #expect(verdict.status == .valid)
        let outside = verdict.warnings.first { $0.code == .timestampOutsideTolerance }
        if let tolerance = vector.tolerance {
            #expect(outside?.tolerance?.seconds == tolerance, "\(verdict.warnings)")
        } else {
            #expect(outside == nil)
        }
    }

    @Test(arguments: CatalogueVector.all.filter { !$0.isToken })
    func diagnosisNamesAnotherEncoding(_ vector: CatalogueVector) throws {
        let other = vector.encoding == "hex" ? "base64" : "hex"
        let verdict = SignatureVerifier.verify(
            try vector.request(body: vector.payload, written: other), policy: vector.policy())
        #expect(verdict.status == .invalid)
        let written = verdict.diagnosis.first { $0.code == .signatureWrittenDifferently }
        #expect(written?.written?.encoding == other, "\(verdict.diagnosis)")
    }

    @Test(arguments: CatalogueVector.all.filter { !$0.isToken })
    func diagnosisNamesAReserializedBody(_ vector: CatalogueVector) throws {
        // Signed compact, delivered pretty-printed (as a proxy that parsed and re-wrote the JSON would).
        let pretty = try vector.python(
            "import json, sys; print(json.dumps(json.loads(sys.argv[1]), indent=2))", vector.payload)
        #expect(pretty != vector.payload)
        let verdict = SignatureVerifier.verify(
            try vector.request(body: pretty, signedBody: vector.payload), policy: vector.policy())
        #expect(verdict.status == .invalid)
        #expect(
            verdict.diagnosis.contains { $0.code.rawValue.hasPrefix("body_reserialized") }, "\(verdict.diagnosis)")
    }

    @Test func sharedHeadersDoNotMisdetect() {
        func detect(_ fields: [(String, String)]) -> SignatureScheme? { SignatureScheme.detect(in: HeaderList(fields)) }
        // GitHub sends both headers; Bitbucket one of them, beside X-Event-Key.
        #expect(detect([("X-Hub-Signature", "sha1=ab"), ("X-Hub-Signature-256", "sha256=cd")]) == .github)
        #expect(detect([("X-Hub-Signature", "sha256=ab"), ("X-Event-Key", "repo:push")]) == .bitbucket)
        #expect(detect([("X-Hub-Signature", "sha1=ab")]) == .github)
        // X-Signature is generic: Lemon Squeezy only beside X-Event-Name.
        #expect(detect([("X-Signature", "ab")]) == nil)
        #expect(detect([("X-Signature", "ab"), ("X-Event-Name", "order_created")]) == .lemonsqueezy)
        // Every scheme that `auto` does not pick from its own signature headers is listed here, with what it picks.
        let exceptions = SignatureScheme.allCases.filter { $0.autoDetectedAs != $0 }
        #expect(
            Dictionary(uniqueKeysWithValues: exceptions.map { ($0, $0.autoDetectedAs) })
                == [
                    .intercom: .github, .meta: .github, .bitbucket: .github, .lemonsqueezy: nil, .okta: nil,
                    .mailgun: nil,
                ])
    }

    /// Persona sends two `t=…,v1=…` lists side by side, space-separated, while a secret rotates: either signature
    /// makes the request valid.
    @Test func personaRotationHeaderCarriesTwoLists() throws {
        let vector = try #require(CatalogueVector.all.first { $0.scheme == "persona" })
        let other = "t={timestamp},v1=" + String(repeating: "0", count: 64)
        for header in ["\(other) t={timestamp},v1={signature}", "t={timestamp},v1={signature} \(other)"] {
            var rotated = vector
            rotated.headers = ["Persona-Signature": header]
            let verdict = SignatureVerifier.verify(try rotated.request(body: vector.payload), policy: vector.policy())
            #expect(verdict.status == .valid, "\(header): \(verdict.diagnosis)")
        }
    }
}
