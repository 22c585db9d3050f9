import HookstashCore

/// Square: `x-square-hmacsha256-signature` = base64(HMAC-SHA256(signature key, notification URL + raw body)).
struct SquareScheme: SchemeDefinition {
    var scheme: SignatureScheme { .square }
    var provider: String { "Square" }
    var algorithm: DigestAlgorithm { .sha256 }
    var encoding: SignatureEncoding { .base64 }
    var headerNames: [String] { ["x-square-hmacsha256-signature"] }

    func read(_ headers: HeaderList) -> SignatureReading? {
        guard let value = headers.first("x-square-hmacsha256-signature") else { return nil }
        return SignatureReading(
            header: "x-square-hmacsha256-signature", received: value, signatures: [value.trimmingSpaces()])
    }

    func message(_ parts: SignedParts) -> [UInt8] { (parts.url ?? "").bytes + parts.body }

    func signedMessage(_ parts: SignedParts) -> [SignatureFinding.MessagePart] {
        [SignatureFinding.MessagePart(.url, value: parts.url ?? ""), .rawBody(size: parts.body.count)]
    }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        HeaderList([("x-square-hmacsha256-signature", signature)])
    }
}
