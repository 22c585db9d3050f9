import Foundation
import HookstashCore
import HookstashSignatures
import Testing

/// `[[scheme]]` tables: a custom HMAC scheme verifies what a signer written from the documentation signs, and a
/// broken definition is refused with its line and field.
@Suite struct CustomSchemeTests {
    static let receivedAt = Timestamp(microsecondsSinceEpoch: 1_767_225_600_000_000)  // 2026-01-01T00:00:00Z
    static let secret = "acme-signing-secret"

    /// `docs/configuration.md`'s example: a timestamp header, the method and body signed, base64url without padding.
    static let acme = """
        [[scheme]]
        name = "acme"
        provider = "Acme"
        header = "X-Acme-Signature"
        algorithm = "sha256"
        encoding = "base64url"
        prefix = "sha256="
        signed = "{timestamp}.{method}.{body}"
        timestamp_header = "X-Acme-Timestamp"
        tolerance = 300

        [[endpoint]]
        path = "/acme"
        scheme = "acme"
        secret = "\(secret)"

        """

    /// Python's `hmac`, given the exact bytes the scheme's documentation says are signed: an independent signer.
    static func pythonHMAC(_ message: String, secret: String = secret, digest: String = "sha256", encoding: String)
        throws -> String
    {
        let encoders = [
            "hex": "h.hexdigest()",
            "base64": "base64.b64encode(h.digest()).decode()",
            "base64url": "base64.urlsafe_b64encode(h.digest()).decode().rstrip('=')",
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import sys, hmac, hashlib, base64; h = hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib."
                + digest + "); print(" + encoders[encoding]! + ")",
            secret, message,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return printed.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func policy(_ text: String, path: String = "/acme") throws -> SignaturePolicy {
        let file = try ConfigurationFile.parse(text)
        let endpoint = try #require(file.endpoint(forPath: path))
        return SignaturePolicy(endpoint: endpoint, in: file)
    }

    static func request(body: String, headers: [(String, String)], method: String = "POST") -> SignatureRequest {
        SignatureRequest(
            method: method, target: "/acme", headers: HeaderList(headers + [("Content-Type", "application/json")]),
            body: Array(body.utf8), receivedAt: receivedAt)
    }

    @Test func customSchemeVerifiesAnIndependentlySignedRequest() throws {
        let policy = try Self.policy(Self.acme)
        #expect(policy.scheme.description == "acme")
        let body = #"{"event":"order.paid","id":42}"#
        let timestamp = "1767225590"
        let signature = try Self.pythonHMAC("\(timestamp).POST.\(body)", encoding: "base64url")
        #expect(!signature.contains("="))
        let headers = [("X-Acme-Timestamp", timestamp), ("X-Acme-Signature", "sha256=" + signature)]

        let valid = SignatureVerifier.verify(Self.request(body: body, headers: headers), policy: policy)
        #expect(valid.status == .valid, "\(valid.diagnosis)")
        #expect(valid.scheme == "acme")
        #expect(valid.header == "X-Acme-Signature")
        #expect(valid.warnings.isEmpty)

        var altered = Array(body.utf8)
        altered[altered.count / 2] ^= 0x01
        let invalid = SignatureVerifier.verify(
            Self.request(body: String(decoding: altered, as: UTF8.self), headers: headers), policy: policy)
        #expect(invalid.status == .invalid)

        // The method is signed: the same request as PUT does not match.
        let put = SignatureVerifier.verify(Self.request(body: body, headers: headers, method: "PUT"), policy: policy)
        #expect(put.status == .invalid)
    }

    @Test func customSchemeFlagsATimestampOutsideItsTolerance() throws {
        let policy = try Self.policy(Self.acme)
        let body = #"{"event":"order.paid"}"#
        let timestamp = "1767224000"  // 1600 s before the request arrived
        let signature = try Self.pythonHMAC("\(timestamp).POST.\(body)", encoding: "base64url")
        let verdict = SignatureVerifier.verify(
            Self.request(
                body: body, headers: [("X-Acme-Timestamp", timestamp), ("X-Acme-Signature", "sha256=" + signature)]),
            policy: policy)
        #expect(verdict.status == .valid)
        let outside = try #require(verdict.warnings.first { $0.code == .timestampOutsideTolerance })
        #expect(outside.tolerance?.seconds == 300)
        #expect(outside.header == "X-Acme-Timestamp")
    }

    @Test func diagnosisNamesAnotherEncodingAndAReserializedBody() throws {
        let policy = try Self.policy(Self.acme)
        let timestamp = "1767225590"
        let compact = #"{"event":"order.paid","items":[1,2]}"#
        // Written as hex where the scheme writes base64url.
        let hex = try Self.pythonHMAC("\(timestamp).POST.\(compact)", encoding: "hex")
        let encoding = SignatureVerifier.verify(
            Self.request(
                body: compact, headers: [("X-Acme-Timestamp", timestamp), ("X-Acme-Signature", "sha256=" + hex)]),
            policy: policy)
        #expect(encoding.status == .invalid)
        let written = try #require(encoding.diagnosis.first { $0.code == .signatureWrittenDifferently })
        #expect(written.written?.encoding == "hex")
        #expect(written.expectedWritten?.encoding == "base64url")
        #expect(written.provider == "Acme")

        // Signed compact, delivered pretty-printed by a proxy that re-serialized it.
        let signature = try Self.pythonHMAC("\(timestamp).POST.\(compact)", encoding: "base64url")
        let pretty = "{\n  \"event\": \"order.paid\",\n  \"items\": [\n    1,\n    2\n  ]\n}"
        let reserialized = SignatureVerifier.verify(
            Self.request(
                body: pretty, headers: [("X-Acme-Timestamp", timestamp), ("X-Acme-Signature", "sha256=" + signature)]),
            policy: policy)
        #expect(reserialized.status == .invalid)
        #expect(reserialized.diagnosis.map(\.code).contains(.bodyReserializedCompact), "\(reserialized.diagnosis)")
    }

    @Test func keyValueHeaderWithTheTimestampInside() throws {
        let policy = try Self.policy(
            """
            [[scheme]]
            name = "kv"
            header = "Kv-Signature"
            signature_key = "s1"
            separator = ";"
            timestamp_key = "ts"
            signed = "{timestamp}:{body}"
            algorithm = "sha512"
            secret_prefix = "kvsec_"

            [[endpoint]]
            path = "/acme"
            scheme = "kv"
            secret = "kvsec_abc"

            """)
        let body = "hello"
        let signature = try Self.pythonHMAC("1767225600:hello", secret: "kvsec_abc", digest: "sha512", encoding: "hex")
        let verdict = SignatureVerifier.verify(
            Self.request(body: body, headers: [("Kv-Signature", "ts=1767225600;s1=ffff;s1=\(signature)")]),
            policy: policy)
        #expect(verdict.status == .valid, "\(verdict.diagnosis)")
    }

    @Test(arguments: [
        ("algorithm = \"md5\"", 5, "algorithm: unknown 'md5'"),
        ("encoding = \"base32\"", 5, "encoding: unknown 'base32'"),
        ("signed = \"{timestamp}.{bdy}\"", 5, "signed: unknown placeholder '{bdy}'"),
        ("signed = \"{timestamp}\"", 5, "signed: it does not include {body}"),
        ("signed = \"{body\"", 5, "signed: a '{' or '}' is not matched"),
        ("signed = \"{id}.{body}\"", 5, "signed: {id} needs id_header"),
        ("id_header = \"X Bad\"", 5, "id_header: 'X Bad' is not a header name"),
        ("tolerance = 0", 5, "tolerance: must be from 1"),
        ("colour = \"red\"", 5, "unknown key 'colour' in [[scheme]]"),
        ("separator = \";;\"", 5, "separator: must be one character"),
    ])
    func brokenDefinitionNamesLineAndField(_ line: String, _ number: Int, _ words: String) {
        let text = """
            [[scheme]]
            name = "acme"
            header = "X-Acme-Signature"
            timestamp_header = "X-Acme-Timestamp"
            \(line)
            """
        #expect {
            _ = try ConfigurationFile.parse(text)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.line == number && error.message.contains(words)
        }
    }

    @Test func definitionsThatCannotBeUsedAsAWholeAreRefused() {
        func message(_ text: String) -> (Int, String)? {
            do {
                _ = try ConfigurationFile.parse(text)
                return nil
            } catch {
                return (error.line, error.message)
            }
        }
        let noHeader = message("[[scheme]]\nname = \"acme\"\n")
        #expect(noHeader?.0 == 1)
        #expect(noHeader?.1.hasPrefix("header:") == true)
        let builtIn = message("[[scheme]]\nname = \"stripe\"\nheader = \"X\"\n")
        #expect(builtIn?.0 == 2)
        #expect(builtIn?.1.contains("'stripe' is a built-in scheme") == true)
        let twice = message("[[scheme]]\nname = \"a\"\nheader = \"X\"\n[[scheme]]\nname = \"a\"\nheader = \"Y\"\n")
        #expect(twice?.0 == 4)
        #expect(twice?.1.contains("already defined on line 1") == true)
        let timestampNowhere = message("[[scheme]]\nname = \"a\"\nheader = \"X\"\nsigned = \"{timestamp}{body}\"\n")
        #expect(timestampNowhere?.0 == 4)
        #expect(timestampNowhere?.1.contains("{timestamp} needs timestamp_header or timestamp_key") == true)
        let undefined = message("[[endpoint]]\npath = \"/a\"\nscheme = \"acme\"\n")
        #expect(undefined?.0 == 3)
        #expect(undefined?.1.contains("unknown scheme 'acme'") == true)
    }

    @Test func anEndpointMayNameASchemeDefinedAfterIt() throws {
        let text =
            "[[endpoint]]\npath = \"/acme\"\nscheme = \"late\"\n\n[[scheme]]\nname = \"late\"\nheader = \"X-Late\"\n"
        let policy = try Self.policy(text)
        #expect(policy.scheme.description == "late")
    }
}
