import HookstashCore

/// Standard Webhooks (and Svix): `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (several,
/// space-separated), keyed with the base64-decoded part of the secret after `whsec_`. Svix sends the same headers
/// named `svix-id`, `svix-timestamp`, `svix-signature`.
struct StandardWebhooksScheme: SchemeDefinition {
    var scheme: SignatureScheme { .standardWebhooks }
    var provider: String { "Standard Webhooks" }
    var algorithm: DigestAlgorithm { .sha256 }
    var encoding: SignatureEncoding { .base64 }
    var prefix: String { "v1," }
    var headerNames: [String] {
        ["webhook-id", "webhook-timestamp", "webhook-signature", "svix-id", "svix-timestamp", "svix-signature"]
    }
    var tolerance: (seconds: Double, words: String)? { (300, "Standard Webhooks libraries reject beyond 5 minutes") }

    func read(_ headers: HeaderList) -> SignatureReading? {
        for family in ["webhook", "svix"] {
            guard let value = headers.first("\(family)-signature") else { continue }
            let signatures = value.split(separator: " ").compactMap { item -> String? in
                guard item.hasPrefix("v1,") else { return nil }
                return String(item.dropFirst(3))
            }
            var reading = SignatureReading(
                header: "\(family)-signature", received: value, signatures: signatures,
                timestamp: headers.first("\(family)-timestamp")?.trimmingSpaces(),
                timestampHeader: "\(family)-timestamp")
            if reading.timestamp == nil { reading.warnings.append("\(family)-timestamp is absent") }
            if !headers.contains("\(family)-id") { reading.warnings.append("\(family)-id is absent") }
            return reading
        }
        return nil
    }

    static func messageID(in headers: HeaderList) -> String? {
        headers.first("webhook-id") ?? headers.first("svix-id")
    }

    /// The secret without its `whsec_` prefix, when it has one.
    static func encodedKey(_ secret: String) -> String {
        secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
    }

    func key(secret: String) -> [UInt8]? {
        Base64.decode(Self.encodedKey(secret))
    }

    func keyProblem(secret: String) -> String? {
        key(secret: secret) == nil
            ? "is not base64 after 'whsec_'; Standard Webhooks secrets are 'whsec_' followed by base64" : nil
    }

    func message(_ parts: SignedParts) -> [UInt8] {
        "\(parts.messageID ?? "").\(parts.timestamp ?? "").".bytes + parts.body
    }

    func messageDescription(_ parts: SignedParts) -> String {
        "the webhook-id '\(parts.messageID ?? "")', '.', the webhook-timestamp '\(parts.timestamp ?? "")', '.' "
            + "and the raw body (\(parts.body.count) bytes)"
    }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        HeaderList([
            ("webhook-id", parts.messageID ?? ""), ("webhook-timestamp", parts.timestamp ?? ""),
            ("webhook-signature", signature),
        ])
    }
}
