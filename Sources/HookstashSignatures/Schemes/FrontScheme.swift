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

    func messageDescription(_ parts: SignedParts) -> String { "the raw body (\(parts.body.count) bytes)" }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        HeaderList([("X-Front-Signature", signature)])
    }
}
