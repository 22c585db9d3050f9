import HookstashCore
import HookstashSignatures
import Testing

@Suite struct RoundTripTests {
    static let body = Array(#"{"id":"evt_1","text":"caf\u00e9 ☕","amount":1250}"#.utf8)

    @Test(arguments: SignatureScheme.allCases.filter { !$0.usesPublicKey && !$0.signsInsideBody })  // PublicKeyTests, MailgunTests
    func signedRequestVerifiesWithTheSameScheme(_ scheme: SignatureScheme) throws {
        let request = try TestRequests.signed(scheme, secret: "whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=", body: Self.body)
        let verdict = TestRequests.verify(request, scheme, secrets: ["whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM="])
        #expect(verdict.status == .valid, "\(verdict.diagnosis)")
        #expect(verdict.warnings.isEmpty)
        #expect(verdict.matchedSecret == 1)
        // `auto` names the scheme, or the one that shares its headers and signs the same way (CatalogueTests).
        #expect(
            SignatureVerifier.verify(request, policy: SignaturePolicy(secrets: ["whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM="]))
                .scheme == (scheme.autoDetectedAs?.rawValue ?? "auto"))
    }

    @Test(arguments: SignatureScheme.allCases.filter { !$0.usesPublicKey && !$0.signsInsideBody })  // PublicKeyTests, MailgunTests
    func signedRequestWithAnotherSecretIsInvalid(_ scheme: SignatureScheme) throws {
        let request = try TestRequests.signed(scheme, secret: "whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=", body: Self.body)
        let verdict = TestRequests.verify(request, scheme, secrets: ["whsec_b3RoZXIta2V5LWZvci10ZXN0cw=="])
        #expect(verdict.status == .invalid)
        // A token scheme sends the secret itself: there is no HMAC to explain, only a token that is not the secret.
        #expect(
            scheme.comparesToken
                ? verdict.diagnosis.map(\.code) == [.tokenMismatch]
                : verdict.diagnoses(.nothingMatched, "nothing matched"))
    }

    @Test func signIsReproducibleWithATimestamp() throws {
        let time = Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000)
        let first = try SignatureSigner.headers(scheme: .stripe, secret: "whsec_x", body: Self.body, timestamp: time)
        let second = try SignatureSigner.headers(scheme: .stripe, secret: "whsec_x", body: Self.body, timestamp: time)
        #expect(first == second)
        #expect(first.first("Stripe-Signature")?.hasPrefix("t=1700000000,v1=") == true)
    }

    @Test func frontAppTimestampIsInMilliseconds() throws {
        let time = Timestamp(microsecondsSinceEpoch: 1_700_000_000_123_000)
        let headers = try SignatureSigner.headers(
            scheme: .frontApp, secret: "s", body: Self.body, timestamp: time)
        #expect(headers.first("X-Front-Request-Timestamp") == "1700000000123")
    }

    @Test func githubSendsBothHeaders() throws {
        let headers = try SignatureSigner.headers(scheme: .github, secret: "s", body: Self.body, timestamp: .now())
        #expect(headers.first("X-Hub-Signature-256")?.hasPrefix("sha256=") == true)
        #expect(headers.first("X-Hub-Signature")?.hasPrefix("sha1=") == true)
    }

    @Test func twilioFormBodyRoundTrip() throws {
        let body = "CallSid=CA1&From=%2B1555&Body=hello+world".bytes
        let request = try TestRequests.signed(
            .twilio, secret: "token", body: body, url: "https://example.ngrok.app/twilio?x=1",
            contentType: "application/x-www-form-urlencoded")
        let verdict = TestRequests.verify(request, .twilio, secrets: ["token"], publicURL: "https://example.ngrok.app")
        #expect(verdict.status == .valid)
    }

    @Test func twilioJSONBodyIsSignedThroughBodySHA256() throws {
        let url = SignatureSigner.deliveryURL(
            scheme: .twilio, url: "https://example.ngrok.app/twilio", body: Self.body, contentType: "application/json")
        #expect(url.contains("?bodySHA256=" + DigestHasher.digest(.sha256, Self.body).hexString))
        let request = try TestRequests.signed(
            .twilio, secret: "token", body: Self.body, url: "https://example.ngrok.app/twilio",
            contentType: "application/json")
        #expect(
            TestRequests.verify(request, .twilio, secrets: ["token"], publicURL: "https://example.ngrok.app").status
                == .valid)

        var tampered = request
        tampered.body[3] ^= 1
        let verdict = TestRequests.verify(tampered, .twilio, secrets: ["token"], publicURL: "https://example.ngrok.app")
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.bodyHashMismatch, "bodySHA256"))
    }

    @Test func urlSignedSchemesNeedAURL() {
        #expect(throws: HookstashError.self) {
            try SignatureSigner.headers(scheme: .square, secret: "s", body: [], timestamp: .now())
        }
    }

    @Test func standardWebhooksRejectsASecretThatIsNotBase64() {
        #expect(throws: HookstashError.self) {
            try SignatureSigner.headers(
                scheme: .standardWebhooks, secret: "whsec_not base64!", body: [], timestamp: .now())
        }
    }
}
