import HookstashCore

/// Shopify: `X-Shopify-Hmac-Sha256` = base64(HMAC-SHA256(app secret, raw body)).
struct ShopifyScheme: SchemeDefinition {
    var scheme: SignatureScheme { .shopify }
    var provider: String { "Shopify" }
    var algorithm: DigestAlgorithm { .sha256 }
    var encoding: SignatureEncoding { .base64 }
    var headerNames: [String] { ["X-Shopify-Hmac-Sha256"] }

    func read(_ headers: HeaderList) -> SignatureReading? {
        guard let value = headers.first("X-Shopify-Hmac-Sha256") else { return nil }
        return SignatureReading(header: "X-Shopify-Hmac-Sha256", received: value, signatures: [value.trimmingSpaces()])
    }

    func message(_ parts: SignedParts) -> [UInt8] { parts.body }

    func signedMessage(_ parts: SignedParts) -> [SignatureFinding.MessagePart] { [.rawBody(size: parts.body.count)] }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        HeaderList([("X-Shopify-Hmac-Sha256", signature)])
    }
}
