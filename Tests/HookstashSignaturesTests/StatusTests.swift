import Foundation
import HookstashCore
import HookstashSignatures
import Testing

@Suite struct StatusTests {
    static let body = #"{"ok":true}"#.bytes

    @Test func noSignatureHeaderIsMissing() {
        let request = TestRequests.request(headers: HeaderList([("Content-Type", "application/json")]), body: Self.body)
        let verdict = TestRequests.verify(request, .github, secrets: ["s"])
        #expect(verdict.status == .missing)
        #expect(verdict.scheme == "github")
        #expect(verdict.diagnosis.isEmpty)
    }

    @Test func autoWithoutAnySignatureHeaderIsMissing() {
        let request = TestRequests.request(headers: HeaderList(), body: Self.body)
        let verdict = SignatureVerifier.verify(request, policy: SignaturePolicy(scheme: .auto, secrets: ["s"]))
        #expect(verdict.status == .missing)
        #expect(verdict.scheme == "auto")
    }

    @Test func noSecretIsUnchecked() throws {
        let request = try TestRequests.signed(.slack, secret: "s", body: Self.body)
        let verdict = SignatureVerifier.verify(request, policy: SignaturePolicy(scheme: .auto))
        #expect(verdict.status == .unchecked)
        #expect(verdict.scheme == "slack")
        #expect(verdict.header == "X-Slack-Signature")
        #expect(verdict.received?.hasPrefix("v0=") == true)
        #expect(verdict.expected == nil)
    }

    @Test func schemeNoneChecksNothing() throws {
        let request = try TestRequests.signed(.front, secret: "s", body: Self.body)
        let verdict = SignatureVerifier.verify(request, policy: SignaturePolicy(scheme: .none, secrets: ["s"]))
        #expect(verdict.status == .unchecked)
        #expect(verdict.scheme == "none")
    }

    @Test func staleTimestampIsAWarningNotAStatus() throws {
        let signedAt = Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000)
        var request = try TestRequests.signed(.stripe, secret: "whsec_x", body: Self.body, at: signedAt)
        request.receivedAt = signedAt.adding(seconds: 41 * 60)
        let verdict = TestRequests.verify(request, .stripe, secrets: ["whsec_x"])
        #expect(verdict.status == .valid)
        #expect(verdict.warnings.map(\.code) == [.timestampOutsideTolerance])
        #expect(
            verdict.warningSentences == [
                "timestamp is 41 minutes older than the time received; Stripe's libraries reject beyond 5 minutes"
            ])

        request.body = #"{"ok":false}"#.bytes
        let invalid = TestRequests.verify(request, .stripe, secrets: ["whsec_x"])
        #expect(invalid.status == .invalid)
        #expect(invalid.warnings.count == 1)
    }

    @Test func futureTimestampIsAWarning() throws {
        let signedAt = Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000)
        var request = try TestRequests.signed(.frontApp, secret: "s", body: Self.body, at: signedAt)
        request.receivedAt = signedAt.adding(seconds: -3 * 3600)
        let verdict = TestRequests.verify(request, .frontApp, secrets: ["s"])
        #expect(verdict.status == .valid)
        #expect(verdict.warnings.map(\.code) == [.timestampOutsideTolerance])
        #expect(verdict.warningSentences.contains { $0.hasPrefix("timestamp is 3 hours ahead of the time received") })
    }

    @Test func frontAppTimestampInSecondsIsAWarning() throws {
        let signature = try Base64.encode(HMAC.code(.sha256, key: "s".bytes, message: "1700000000:".bytes + Self.body))
        let request = TestRequests.request(
            headers: HeaderList([("X-Front-Request-Timestamp", "1700000000"), ("X-Front-Signature", signature)]),
            body: Self.body, receivedAt: Timestamp(microsecondsSinceEpoch: 1_700_000_010_000_000))
        let verdict = TestRequests.verify(request, .frontApp, secrets: ["s"])
        #expect(verdict.status == .valid)
        #expect(verdict.warnings.map(\.code) == [.timestampInSeconds])
        #expect(
            verdict.warningSentences == [
                "X-Front-Request-Timestamp '1700000000' looks like seconds; Front sends milliseconds"
            ])
    }

    @Test func legacyGitHubHeaderAloneIsCheckedWithAWarning() throws {
        let signature = try HMAC.code(.sha1, key: "s".bytes, message: Self.body).hexString
        let request = TestRequests.request(
            headers: HeaderList([("X-Hub-Signature", "sha1=\(signature)")]), body: Self.body)
        let verdict = TestRequests.verify(request, .github, secrets: ["s"])
        #expect(verdict.status == .valid)
        #expect(verdict.header == "X-Hub-Signature")
        #expect(verdict.warnings.map(\.code) == [.legacyHeaderOnly])
        #expect(verdict.warningSentences.contains { $0.contains("legacy") })
    }

    @Test func senderRotationWithSeveralSignatures() throws {
        let good = try HMAC.code(.sha256, key: "s".bytes, message: "1700000000:".bytes + Self.body).hexString
        let paddle = TestRequests.request(
            headers: HeaderList([
                ("Paddle-Signature", "ts=1700000000;h1=\(String(repeating: "0", count: 64));h1=\(good)")
            ]),
            body: Self.body)
        #expect(TestRequests.verify(paddle, .paddle, secrets: ["s"]).status == .valid)

        let key = Base64.decode("c2VjcmV0")!
        let svix = try Base64.encode(HMAC.code(.sha256, key: key, message: "msg_9.1700000000.".bytes + Self.body))
        let request = TestRequests.request(
            headers: HeaderList([
                ("svix-id", "msg_9"), ("svix-timestamp", "1700000000"),
                ("svix-signature", "v1,AAAA v1,\(svix) v2,ignored"),
            ]), body: Self.body)
        let verdict = SignatureVerifier.verify(
            request, policy: SignaturePolicy(scheme: .auto, secrets: ["whsec_c2VjcmV0"]))
        #expect(verdict.scheme == "standard-webhooks")
        #expect(verdict.status == .valid)
        #expect(verdict.header == "svix-signature")
    }

    @Test func secretsNeverAppearInVerdictsOrDescriptions() throws {
        let secret = "top-secret-value-123"
        let request = try TestRequests.signed(.front, secret: secret, body: Self.body + [0x0a])
        var sent = request
        sent.body = Self.body
        let verdict = TestRequests.verify(
            sent, .front, secrets: [secret + " ", "second-secret-456"],
            otherSecrets: [.init(label: "endpoint other", secret: "other-secret-789")])
        #expect(verdict.status == .invalid)
        #expect(!verdict.diagnosis.isEmpty)
        let json = String(decoding: try JSONEncoder().encode(verdict), as: UTF8.self)
        for hidden in [secret, "second-secret-456", "other-secret-789"] {
            #expect(!json.contains(hidden))
            let policy = SignaturePolicy(scheme: .scheme(.front), secrets: [hidden])
            #expect(!"\(policy)".contains(hidden))
            #expect(!String(reflecting: policy).contains(hidden))
            var dumped = ""
            dump(policy, to: &dumped)
            #expect(!dumped.contains(hidden))
        }
    }

    @Test func schemeNamesMatchTheConfigurationsList() {
        #expect(Set(SignatureSchemeSelection.names) == Set(EndpointConfiguration.schemeNames))
        for name in SignatureSchemeSelection.names { #expect(SignatureSchemeSelection(name: name) != nil) }
        #expect(SignatureSchemeSelection(name: "FRONT-APP") == .scheme(.frontApp))
        #expect(SignatureSchemeSelection(name: "frnot") == nil)
    }
}
