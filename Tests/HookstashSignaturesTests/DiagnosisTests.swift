import Foundation
import HookstashCore
import HookstashSignatures
import Testing

/// One test per diagnosis rule: a request signed wrong in exactly that respect is `invalid`, and the diagnosis names
/// the cause.
@Suite struct DiagnosisTests {
    static let body = #"{"id":"evt_1","type":"inbound","text":"Réservation","tags":["a/b"]}"#.bytes
    static let secret = "s3cret-value"

    static func mac(_ algorithm: DigestAlgorithm, _ key: String, _ message: [UInt8]) -> [UInt8] {
        // The algorithms hookstash uses are always available in the test environment.
        try! HMAC.code(algorithm, key: key.bytes, message: message)
    }

    /// A Front rule request whose signature was computed over `signed` while `sent` arrived.
    static func front(signed: [UInt8], sent: [UInt8], secret: String = secret) -> SignatureRequest {
        TestRequests.request(
            headers: HeaderList([("X-Front-Signature", Base64.encode(mac(.sha1, secret, signed)))]), body: sent)
    }

    // MARK: Line endings

    @Test func trailingNewlineAddedAfterSigning() {
        let verdict = TestRequests.verify(
            Self.front(signed: Self.body, sent: Self.body + [0x0a]), .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.bodyTrailingNewlineAdded, "matches if a trailing newline is removed from the body"))
        #expect(verdict.diagnosis.count == 1)
    }

    @Test func trailingCRLFAddedAfterSigning() {
        let verdict = TestRequests.verify(
            Self.front(signed: Self.body, sent: Self.body + [0x0d, 0x0a]), .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.bodyTrailingCRLFAdded, "trailing CRLF", "removed"))
    }

    @Test func trailingNewlineLostAfterSigning() {
        let verdict = TestRequests.verify(
            Self.front(signed: Self.body + [0x0a], sent: Self.body), .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.bodyTrailingNewlineMissing, "matches if a trailing newline is added to the body"))
    }

    @Test func trailingCRLFLostAfterSigning() {
        let verdict = TestRequests.verify(
            Self.front(signed: Self.body + [0x0d, 0x0a], sent: Self.body), .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.bodyTrailingCRLFMissing, "trailing CRLF", "added"))
    }

    // MARK: Secrets

    @Test func configuredSecretHasSurroundingWhitespace() {
        let verdict = TestRequests.verify(
            Self.front(signed: Self.body, sent: Self.body), .front, secrets: [Self.secret + "\n"])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.secretHasSurroundingWhitespace, "trimmed of surrounding whitespace"))
    }

    @Test func sendersSecretEndsInANewline() {
        let request = Self.front(signed: Self.body, sent: Self.body, secret: Self.secret + "\n")
        let verdict = TestRequests.verify(request, .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.secretMissingTrailingNewline, "newline added after the secret"))
    }

    @Test func anotherEndpointsSecret() {
        let request = Self.front(signed: Self.body, sent: Self.body, secret: "github-secret")
        let verdict = TestRequests.verify(
            request, .front, secrets: [Self.secret],
            otherSecrets: [.init(label: "endpoint github (/webhooks/github)", secret: "github-secret")])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.secretOfOtherEndpoint, "matches the secret of endpoint github (/webhooks/github)"))
    }

    @Test func rotationNamesTheSecretThatMatched() {
        let request = Self.front(signed: Self.body, sent: Self.body, secret: "new-secret")
        let verdict = TestRequests.verify(request, .front, secrets: [Self.secret, "new-secret"])
        #expect(verdict.status == .valid)
        #expect(verdict.matchedSecret == 2)
    }

    @Test func stripeSecretDecodedLikeStandardWebhooks() throws {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let key = Base64.decode(String(secret.dropFirst(6)))!
        let message = "1700000000.".bytes + Self.body
        let signature = try HMAC.code(.sha256, key: key, message: message).hexString
        let request = TestRequests.request(
            headers: HeaderList([("Stripe-Signature", "t=1700000000,v1=\(signature)")]), body: Self.body)
        let verdict = TestRequests.verify(request, .stripe, secrets: [secret])
        #expect(verdict.status == .invalid)
        #expect(
            verdict.diagnoses(
                .secretPrefixDecoded, "after 'whsec_' is base64-decoded", "Stripe keys the HMAC with the whole secret"))
    }

    @Test func standardWebhooksSecretUsedAsRawText() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let message = "msg_1.1700000000.".bytes + Self.body
        let signature = Base64.encode(Self.mac(.sha256, secret, message))
        let request = TestRequests.request(
            headers: HeaderList([
                ("webhook-id", "msg_1"), ("webhook-timestamp", "1700000000"), ("webhook-signature", "v1,\(signature)"),
            ]), body: Self.body)
        let verdict = TestRequests.verify(request, .standardWebhooks, secrets: [secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.secretPrefixNotDecoded, "the whole of the secret is used as raw text"))
    }

    // MARK: Algorithm, encoding, prefix

    @Test func sha1InsteadOfSHA256() {
        let request = TestRequests.request(
            headers: HeaderList([("X-Hub-Signature-256", "sha256=" + Self.mac(.sha1, Self.secret, Self.body).hexString)]
            ),
            body: Self.body)
        let verdict = TestRequests.verify(request, .github, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.algorithmMismatch, "matches HMAC-SHA1 instead of HMAC-SHA256"))
    }

    @Test func sha256InsteadOfSHA1PointsAtFrontApp() {
        let request = TestRequests.request(
            headers: HeaderList([("X-Front-Signature", Base64.encode(Self.mac(.sha256, Self.secret, Self.body)))]),
            body: Self.body)
        let verdict = TestRequests.verify(request, .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.algorithmMismatch, "matches HMAC-SHA256 instead of HMAC-SHA1", "--scheme front-app"))
    }

    @Test func hexInsteadOfBase64() {
        let request = TestRequests.request(
            headers: HeaderList([("X-Shopify-Hmac-Sha256", Self.mac(.sha256, Self.secret, Self.body).hexString)]),
            body: Self.body)
        let verdict = TestRequests.verify(request, .shopify, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(
            verdict.diagnoses(.signatureWrittenDifferently, "right HMAC", "written as hex where Shopify writes base64"))
    }

    @Test func base64InsteadOfHex() {
        let request = TestRequests.request(
            headers: HeaderList([
                ("X-Hub-Signature-256", "sha256=" + Base64.encode(Self.mac(.sha256, Self.secret, Self.body)))
            ]),
            body: Self.body)
        let verdict = TestRequests.verify(request, .github, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.signatureWrittenDifferently, "written as base64 where GitHub writes hex"))
    }

    @Test func prefixDropped() {
        let request = TestRequests.request(
            headers: HeaderList([("X-Hub-Signature-256", Self.mac(.sha256, Self.secret, Self.body).hexString)]),
            body: Self.body)
        let verdict = TestRequests.verify(request, .github, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.signatureWrittenDifferently, "without the 'sha256=' prefix"))
    }

    @Test func prefixAdded() {
        let request = TestRequests.request(
            headers: HeaderList([
                ("X-Front-Signature", "sha1=" + Base64.encode(Self.mac(.sha1, Self.secret, Self.body)))
            ]),
            body: Self.body)
        let verdict = TestRequests.verify(request, .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.signatureWrittenDifferently, "with a 'sha1=' prefix Front does not use"))
    }

    // MARK: Re-serialized JSON

    static let pretty = """
        {
          "id": "evt_1",
          "type": "inbound",
          "text": "Réservation",
          "tags": [
            "a/b"
          ]
        }
        """.bytes

    @Test func signedCompactSentPretty() {
        let verdict = TestRequests.verify(
            Self.front(signed: Self.body, sent: Self.pretty), .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.bodyReserializedCompact, "re-serialized as compact JSON"))
    }

    @Test func signedPrettySentCompact() {
        let verdict = TestRequests.verify(
            Self.front(signed: Self.pretty, sent: Self.body), .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.bodyReserializedPretty2, "2-space pretty-printed JSON"))
    }

    @Test func signedFourSpacePrettySentCompact() {
        let pretty = String(decoding: Self.pretty, as: UTF8.self).replacingOccurrences(of: "\n  ", with: "\n    ")
            .replacingOccurrences(of: "\n      ", with: "\n        ")
        let verdict = TestRequests.verify(
            Self.front(signed: pretty.bytes, sent: Self.body), .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.bodyReserializedPretty4, "4-space pretty-printed JSON"))
    }

    @Test func signedWithSortedKeys() {
        let sorted = #"{"id":"evt_1","tags":["a/b"],"text":"Réservation","type":"inbound"}"#.bytes
        let verdict = TestRequests.verify(Self.front(signed: sorted, sent: Self.body), .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.bodyReserializedSortedKeys, "sorted keys"))
    }

    @Test func signedWithUnicodeEscapes() {
        let escaped = #"{"id":"evt_1","type":"inbound","text":"R\u00e9servation","tags":["a/b"]}"#.bytes
        let verdict = TestRequests.verify(Self.front(signed: escaped, sent: Self.body), .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.bodyReserializedEscapedNonASCII, "non-ASCII characters escaped as \\uXXXX"))
    }

    @Test func signedWithLiteralUTF8SentEscaped() {
        let escaped = #"{"id":"evt_1","type":"inbound","text":"R\u00e9servation","tags":["a/b"]}"#.bytes
        let verdict = TestRequests.verify(Self.front(signed: Self.body, sent: escaped), .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.bodyReserializedCompact, "literal UTF-8"))
    }

    @Test func signedWithEscapedSlashes() {
        let php = #"{"id":"evt_1","type":"inbound","text":"Réservation","tags":["a\/b"]}"#.bytes
        let verdict = TestRequests.verify(Self.front(signed: php, sent: Self.body), .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.bodyReserializedEscapedSlashes, "slashes escaped"))
    }

    // MARK: Timestamps

    @Test func timestampSignedInMillisecondsSentInSeconds() {
        let signature = Self.mac(.sha256, Self.secret, "1700000000000.".bytes + Self.body).hexString
        let request = TestRequests.request(
            headers: HeaderList([("Stripe-Signature", "t=1700000000,v1=\(signature)")]), body: Self.body)
        let verdict = TestRequests.verify(request, .stripe, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.timestampSignedInMilliseconds, "taken in milliseconds ('1700000000000')"))
    }

    @Test func timestampSignedInSecondsSentInMilliseconds() {
        let signature = Base64.encode(Self.mac(.sha256, Self.secret, "1700000000:".bytes + Self.body))
        let request = TestRequests.request(
            headers: HeaderList([("X-Front-Request-Timestamp", "1700000000000"), ("X-Front-Signature", signature)]),
            body: Self.body)
        let verdict = TestRequests.verify(request, .frontApp, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.timestampSignedInSeconds, "taken in seconds ('1700000000')"))
    }

    // MARK: Front application requests and `undefined`

    @Test func postSignedOverUndefined() {
        let signature = Base64.encode(Self.mac(.sha256, Self.secret, "1700000000000:undefined".bytes))
        let request = TestRequests.request(
            headers: HeaderList([("X-Front-Request-Timestamp", "1700000000000"), ("X-Front-Signature", signature)]),
            body: Self.body)
        let verdict = TestRequests.verify(request, .frontApp, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.undefinedSignedInsteadOfBody, "replaced by the string 'undefined'"))
    }

    @Test func getSignedOverItsBody() {
        let signature = Base64.encode(Self.mac(.sha256, Self.secret, "1700000000000:".bytes + Self.body))
        let request = TestRequests.request(
            method: "GET",
            headers: HeaderList([("X-Front-Request-Timestamp", "1700000000000"), ("X-Front-Signature", signature)]),
            body: Self.body)
        let verdict = TestRequests.verify(request, .frontApp, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(
            verdict.diagnoses(.bodySignedInsteadOfUndefined, "actual body is signed instead of the string 'undefined'"))
    }

    @Test func getSignedOverUndefinedIsValid() {
        let signature = Base64.encode(Self.mac(.sha256, Self.secret, "1700000000000:undefined".bytes))
        let request = TestRequests.request(
            method: "DELETE",
            headers: HeaderList([("X-Front-Request-Timestamp", "1700000000000"), ("X-Front-Signature", signature)]),
            body: [])
        #expect(TestRequests.verify(request, .frontApp, secrets: [Self.secret]).status == .valid)
    }

    // MARK: URL-signed schemes

    static func square(signedURL: String, request url: String, extra: [(String, String)] = []) -> SignatureRequest {
        let signature = Base64.encode(Self.mac(.sha256, Self.secret, signedURL.bytes + Self.body))
        return TestRequests.request(
            url: url, headers: HeaderList([("x-square-hmacsha256-signature", signature)] + extra), body: Self.body)
    }

    @Test func httpInsteadOfHTTPS() {
        let signature = Base64.encode(Self.mac(.sha1, Self.secret, "http://example.ngrok.app/twilio".bytes))
        let request = TestRequests.request(
            url: "http://127.0.0.1:8080/twilio", headers: HeaderList([("X-Twilio-Signature", signature)]), body: [])
        let verdict = TestRequests.verify(
            request, .twilio, secrets: [Self.secret], publicURL: "https://example.ngrok.app")
        #expect(verdict.status == .invalid)
        #expect(
            verdict.diagnoses(.urlDiffers, "'http://example.ngrok.app/twilio'", "http instead of https", "--public-url")
        )
    }

    @Test func defaultPortWrittenOut() {
        let request = Self.square(
            signedURL: "https://example.ngrok.app:443/square", request: "http://127.0.0.1:8080/square")
        let verdict = TestRequests.verify(
            request, .square, secrets: [Self.secret], publicURL: "https://example.ngrok.app")
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnoses(.urlDiffers, "with the port :443 written out"))
    }

    @Test func twilioAcceptsTheDefaultPortEitherWay() {
        let signature = Base64.encode(Self.mac(.sha1, Self.secret, "https://example.ngrok.app:443/twilio".bytes))
        let request = TestRequests.request(
            url: "http://127.0.0.1:8080/twilio", headers: HeaderList([("X-Twilio-Signature", signature)]), body: [])
        let verdict = TestRequests.verify(
            request, .twilio, secrets: [Self.secret], publicURL: "https://example.ngrok.app")
        #expect(verdict.status == .valid)
    }

    @Test func hostHeaderInsteadOfForwardedHost() {
        let request = Self.square(
            signedURL: "https://127.0.0.1:8080/square", request: "http://127.0.0.1:8080/square",
            extra: [("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "abc.ngrok.app")])
        let verdict = TestRequests.verify(request, .square, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(
            verdict.diagnoses(
                .urlDiffers, "host '127.0.0.1' from the Host header instead of 'abc.ngrok.app' from X-Forwarded-Host"))
    }

    @Test func forwardedHeadersAreTheDefaultURL() {
        let request = Self.square(
            signedURL: "https://abc.ngrok.app/square?x=1", request: "http://127.0.0.1:8080/square?x=1",
            extra: [("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "abc.ngrok.app")])
        #expect(TestRequests.verify(request, .square, secrets: [Self.secret]).status == .valid)
    }

    // MARK: Nothing matched

    @Test func nothingMatchedSaysWhatWasCompared() {
        let request = Self.front(signed: "something else entirely".bytes, sent: Self.body)
        let verdict = TestRequests.verify(request, .front, secrets: [Self.secret])
        #expect(verdict.status == .invalid)
        #expect(verdict.diagnosis.count == 1)
        #expect(
            verdict.diagnoses(
                .nothingMatched, "nothing matched", "HMAC-SHA1", "the raw body (\(Self.body.count) bytes)", "base64",
                "X-Front-Signature",
                "body SHA-256 " + DigestHasher.digest(.sha256, Self.body).hexString))
        #expect(!verdict.mentions(Self.secret))
    }
}
