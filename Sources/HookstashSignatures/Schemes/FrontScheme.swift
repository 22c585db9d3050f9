import HookstashCore

/// Front rule webhooks (and the legacy API webhooks): `X-Front-Signature` = base64(HMAC-SHA1(API secret, raw body)).
struct FrontScheme: SchemeDefinition {
    var scheme: SignatureScheme { .front }
    var provider: String { "Front" }
    var algorithm: DigestAlgorithm { .sha1 }
    var encoding: SignatureEncoding { .base64 }
    var headerNames: [String] { ["X-Front-Signature"] }

    func read(_ headers: HeaderList) -> SignatureReading? {
        guard let value = headers.first("X-Front-Signature") else { return nil }
        let trimmed = value.trimmingSpaces()
        return SignatureReading(header: "X-Front-Signature", received: value, signatures: [trimmed])
    }

    func message(_ parts: SignedParts) -> [UInt8] { parts.body }

    /// Front application webhooks hash with SHA-256.
    func suggestedScheme(for algorithm: DigestAlgorithm) -> SignatureScheme? { algorithm == .sha256 ? .frontApp : nil }

    func signedMessage(_ parts: SignedParts) -> [SignatureFinding.MessagePart] { [.rawBody(size: parts.body.count)] }

    /// Front proves an endpoint (rule and application webhooks alike) with `X-Front-Challenge`, answered
    /// `200 {"challenge":"<value>"}`.
    func handshakeResponse(to headers: HeaderList) -> CaptureResponse? {
        guard let value = headers.first("X-Front-Challenge") else { return nil }
        var body = Array(#"{"challenge":""#.utf8)
        body += JSONText.escaped(value).utf8
        body += Array(#""}"#.utf8)
        return CaptureResponse(status: 200, headers: HeaderList([("Content-Type", "application/json")]), body: body)
    }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        HeaderList([("X-Front-Signature", signature)])
    }
}
