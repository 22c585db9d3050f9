import HookstashCore

/// Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:timestamp:body">` with `X-Slack-Request-Timestamp`.
struct SlackScheme: SchemeDefinition {
    var scheme: SignatureScheme { .slack }
    var provider: String { "Slack" }
    var algorithm: DigestAlgorithm { .sha256 }
    var encoding: SignatureEncoding { .hex }
    var prefix: String { "v0=" }
    var headerNames: [String] { ["X-Slack-Request-Timestamp", "X-Slack-Signature"] }
    var tolerance: (seconds: Double, words: String)? { (300, "Slack's guidance is to reject beyond 5 minutes") }

    func read(_ headers: HeaderList) -> SignatureReading? {
        guard let value = headers.first("X-Slack-Signature") else { return nil }
        let trimmed = value.trimmingSpaces()
        var reading = SignatureReading(
            header: "X-Slack-Signature", received: value,
            signatures: trimmed.hasPrefix(prefix) ? [String(trimmed.dropFirst(prefix.count))] : [],
            timestamp: headers.first("X-Slack-Request-Timestamp")?.trimmingSpaces(),
            timestampHeader: "X-Slack-Request-Timestamp")
        if reading.timestamp == nil { reading.warnings.append(.timestampAbsent(header: "X-Slack-Request-Timestamp")) }
        return reading
    }

    func message(_ parts: SignedParts) -> [UInt8] { "v0:\(parts.timestamp ?? ""):".bytes + parts.body }

    func signedMessage(_ parts: SignedParts) -> [SignatureFinding.MessagePart] {
        [
            .literal("v0:"),
            SignatureFinding.MessagePart(
                .headerValue, header: "X-Slack-Request-Timestamp", value: parts.timestamp ?? ""),
            .literal(":"), .rawBody(size: parts.body.count),
        ]
    }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        HeaderList([("X-Slack-Request-Timestamp", parts.timestamp ?? ""), ("X-Slack-Signature", signature)])
    }
}
