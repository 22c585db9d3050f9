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
    var tolerance: SignatureFinding.Tolerance? {
        SignatureFinding.Tolerance(seconds: 300, enforcedBy: "Standard Webhooks libraries", plural: true)
    }

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
            if reading.timestamp == nil { reading.warnings.append(.timestampAbsent(header: "\(family)-timestamp")) }
            if !headers.contains("\(family)-id") {
                var warning = SignatureFinding(.messageIDAbsent)
                warning.header = "\(family)-id"
                reading.warnings.append(warning)
            }
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

    func keyIsUnusable(secret: String) -> Bool { key(secret: secret) == nil }

    func message(_ parts: SignedParts) -> [UInt8] {
        "\(parts.messageID ?? "").\(parts.timestamp ?? "").".bytes + parts.body
    }

    func signedMessage(_ parts: SignedParts) -> [SignatureFinding.MessagePart] {
        [
            SignatureFinding.MessagePart(.headerValue, header: "webhook-id", value: parts.messageID ?? ""),
            .literal("."),
            SignatureFinding.MessagePart(.headerValue, header: "webhook-timestamp", value: parts.timestamp ?? ""),
            .literal("."), .rawBody(size: parts.body.count),
        ]
    }

    /// Standard Webhooks base64-decodes the part after `whsec_` and keys the HMAC with those bytes.
    var secretPrefixRule: SecretPrefixRule? { .decodeAfterPrefix }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        HeaderList([
            ("webhook-id", parts.messageID ?? ""), ("webhook-timestamp", parts.timestamp ?? ""),
            ("webhook-signature", signature),
        ])
    }
}
