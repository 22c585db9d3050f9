import Foundation
import HookstashCore
import HookstashSignatures
import Testing

/// A key pair made by the `openssl` command line, which also signs: the independent signer for the public-key
/// schemes (Discord's Ed25519, SendGrid's ECDSA P-256/SHA-256).
struct OpenSSLKeyPair: Sendable {
    let scheme: SignatureScheme
    let directory: String
    /// The public key as the provider shows it: hex (Discord), base64 DER (SendGrid).
    let publicKey: String
    /// The private key as `hookstash sign` takes it: the Ed25519 seed in hex, the P-256 key as PEM.
    let privateKey: String

    static func run(_ arguments: [String], input: [UInt8]? = nil) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let output = Pipe()
        let inputPipe = Pipe()
        process.standardOutput = output
        process.standardInput = inputPipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let input { inputPipe.fileHandleForWriting.write(Data(input)) }
        try inputPipe.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return Array(data)
    }

    init(_ scheme: SignatureScheme) throws {
        self.scheme = scheme
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hookstash-keys-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let key = directory + "/key.pem"
        if scheme == .discord {
            _ = try Self.run(["genpkey", "-algorithm", "ed25519", "-out", key])
            let publicDER = try Self.run(["pkey", "-in", key, "-pubout", "-outform", "DER"])
            let privateDER = try Self.run(["pkey", "-in", key, "-outform", "DER"])
            publicKey = publicDER.suffix(32).map { String(format: "%02x", $0) }.joined()
            privateKey = privateDER.suffix(32).map { String(format: "%02x", $0) }.joined()
        } else {
            _ = try Self.run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key])
            publicKey = Data(try Self.run(["ec", "-in", key, "-pubout", "-outform", "DER"])).base64EncodedString()
            privateKey = try String(contentsOfFile: key, encoding: .utf8)
        }
    }

    /// The signature of `message` by `openssl`, written as the provider writes it.
    func sign(_ message: String) throws -> String {
        let file = directory + "/message-\(UUID())"
        try Data(message.utf8).write(to: URL(fileURLWithPath: file))
        if scheme == .discord {
            let signature = try Self.run(["pkeyutl", "-sign", "-inkey", directory + "/key.pem", "-rawin", "-in", file])
            return signature.map { String(format: "%02x", $0) }.joined()
        }
        let signature = try Self.run(["dgst", "-sha256", "-sign", directory + "/key.pem", file])
        return Data(signature).base64EncodedString()
    }

    var signatureHeader: String {
        scheme == .discord ? "X-Signature-Ed25519" : "X-Twilio-Email-Event-Webhook-Signature"
    }
    var timestampHeader: String {
        scheme == .discord ? "X-Signature-Timestamp" : "X-Twilio-Email-Event-Webhook-Timestamp"
    }

    /// The request the provider sends: the signature over timestamp + body, as both providers document.
    func request(body: String, signedBody: String? = nil, signature: String? = nil) throws -> SignatureRequest {
        let timestamp = "1767225600"
        let written = try signature ?? sign(timestamp + (signedBody ?? body))
        return SignatureRequest(
            method: "POST", target: "/hook",
            headers: HeaderList([
                ("Content-Type", "application/json"), (timestampHeader, timestamp), (signatureHeader, written),
            ]), body: Array(body.utf8), receivedAt: Timestamp(microsecondsSinceEpoch: 1_767_225_605_000_000))
    }

    func verify(_ request: SignatureRequest, keys: [String]? = nil) -> SignatureVerdict {
        SignatureVerifier.verify(
            request, policy: SignaturePolicy(scheme: .scheme(scheme), secrets: keys ?? [publicKey]))
    }
}

@Suite struct PublicKeyTests {
    static let schemes: [SignatureScheme] = [.discord, .sendgrid]
    static let body = #"{"id":"1","type":2,"data":{"name":"ping","options":[1,2]}}"#

    @Test(arguments: schemes)
    func opensslSignedRequestIsValidAndAltered(_ scheme: SignatureScheme) throws {
        let keys = try OpenSSLKeyPair(scheme)
        #expect(scheme.usesPublicKey)
        let request = try keys.request(body: Self.body)
        let verdict = keys.verify(request)
        #expect(verdict.status == .valid, "\(verdict.diagnosis)")
        #expect(verdict.scheme == scheme.rawValue)
        #expect(verdict.matchedSecret == 1)
        #expect(
            SignatureVerifier.verify(request, policy: SignaturePolicy(secrets: [keys.publicKey])).scheme
                == scheme.rawValue)

        var altered = Array(Self.body.utf8)
        altered[altered.count / 2] ^= 0x01
        let invalid = keys.verify(
            try keys.request(body: String(decoding: altered, as: UTF8.self), signedBody: Self.body))
        #expect(invalid.status == .invalid)
        #expect(invalid.diagnosis.map(\.code) == [.signatureNotVerified])

        // Another key pair's public key does not verify it.
        let other = try OpenSSLKeyPair(scheme)
        #expect(keys.verify(request, keys: [other.publicKey]).status == .invalid)
    }

    @Test(arguments: schemes)
    func diagnosisNamesAnotherEncodingAndAReserializedBody(_ scheme: SignatureScheme) throws {
        let keys = try OpenSSLKeyPair(scheme)
        let signature = try keys.sign("1767225600" + Self.body)
        let bytes = scheme == .discord ? [UInt8](hexString: signature)! : Array(Data(base64Encoded: signature)!)
        let other =
            scheme == .discord ? Data(bytes).base64EncodedString() : bytes.map { String(format: "%02x", $0) }.joined()
        let encoding = keys.verify(try keys.request(body: Self.body, signature: other))
        #expect(encoding.status == .invalid)
        let written = encoding.diagnosis.first { $0.code == .signatureWrittenDifferently }
        #expect(written?.written?.encoding == (scheme == .discord ? "base64" : "hex"), "\(encoding.diagnosis)")

        let pretty =
            "{\n  \"id\": \"1\",\n  \"type\": 2,\n  \"data\": {\n    \"name\": \"ping\",\n    \"options\": [\n      1,\n      2\n    ]\n  }\n}"
        let reserialized = keys.verify(try keys.request(body: pretty, signedBody: Self.body))
        #expect(reserialized.status == .invalid)
        #expect(reserialized.diagnosis.map(\.code).contains(.bodyReserializedCompact), "\(reserialized.diagnosis)")
    }

    @Test(arguments: schemes)
    func aKeyOfAnotherKindIsSaid(_ scheme: SignatureScheme) throws {
        let keys = try OpenSSLKeyPair(scheme)
        let verdict = keys.verify(try keys.request(body: Self.body), keys: ["not-a-key", keys.publicKey])
        #expect(verdict.status == .valid)
        #expect(verdict.matchedSecret == 2)
        let wrong = keys.verify(try keys.request(body: Self.body), keys: ["not-a-key"])
        #expect(wrong.status == .invalid)
        #expect(wrong.diagnosis.first?.code == .publicKeyUnusable)
    }

    @Test(arguments: schemes)
    func hookstashSignsWithThePrivateKey(_ scheme: SignatureScheme) throws {
        let keys = try OpenSSLKeyPair(scheme)
        let time = Timestamp(microsecondsSinceEpoch: 1_767_225_600_000_000)
        let headers = try SignatureSigner.headers(
            scheme: scheme, secret: keys.privateKey, body: Array(Self.body.utf8), timestamp: time)
        var all = HeaderList([("Content-Type", "application/json")])
        for field in headers { all.append(name: field.name, value: field.value) }
        let request = SignatureRequest(
            method: "POST", target: "/hook", headers: all, body: Array(Self.body.utf8), receivedAt: time)
        #expect(keys.verify(request).status == .valid)
        #expect(throws: HookstashError.self) {
            try SignatureSigner.headers(scheme: scheme, secret: "nope", body: [], timestamp: time)
        }
    }

    /// SendGrid's own published vector: the test of its Node.js SDK (`@sendgrid/eventwebhook`, seen in the package
    /// diff at https://socket.dev/npm/package/@sendgrid/eventwebhook/diff/7.2.6), whose payload is
    /// `JSON.stringify({category: 'example_payload', event: 'test_event', message_id: 'message_id'})`.
    @Test func sendgridPublishedVectorIsValid() {
        let publicKey =
            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA=="
        let signature =
            "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0="
        let payload = #"{"category":"example_payload","event":"test_event","message_id":"message_id"}"#
        func request(_ body: String) -> SignatureRequest {
            SignatureRequest(
                method: "POST", target: "/sendgrid",
                headers: HeaderList([
                    ("X-Twilio-Email-Event-Webhook-Signature", signature),
                    ("X-Twilio-Email-Event-Webhook-Timestamp", "1588788367"),
                ]), body: Array(body.utf8), receivedAt: .now())
        }
        let policy = SignaturePolicy(scheme: .scheme(.sendgrid), secrets: [publicKey])
        let verdict = SignatureVerifier.verify(request(payload), policy: policy)
        #expect(verdict.status == .valid, "\(verdict.diagnosis)")
        // The same published signature, a trailing CRLF added on the way: invalid, and said.
        let altered = SignatureVerifier.verify(request(payload + "\r\n"), policy: policy)
        #expect(altered.status == .invalid)
        #expect(altered.diagnosis.map(\.code).contains(.bodyTrailingCRLFAdded), "\(altered.diagnosis)")
    }
}
