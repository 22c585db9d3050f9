import HookstashCore

/// Paddle Billing: `Paddle-Signature: ts=<seconds>;h1=<hex HMAC-SHA256 of "ts:body">[;h1=…]`, keyed with the whole
/// secret string.
struct PaddleScheme: SchemeDefinition {
    var scheme: SignatureScheme { .paddle }
    var provider: String { "Paddle" }
    var algorithm: DigestAlgorithm { .sha256 }
    var encoding: SignatureEncoding { .hex }
    var prefix: String { "h1=" }
    var headerNames: [String] { ["Paddle-Signature"] }
    var tolerance: SignatureFinding.Tolerance? {
        SignatureFinding.Tolerance(seconds: 5, enforcedBy: "Paddle's SDKs", plural: true)
    }

    func read(_ headers: HeaderList) -> SignatureReading? {
        guard let value = headers.first("Paddle-Signature") else { return nil }
        let pairs = KeyValueList(value, separator: ";")
        var reading = SignatureReading(
            header: "Paddle-Signature", received: value, signatures: pairs.values("h1"),
            timestamp: pairs.values("ts").first, timestampHeader: "Paddle-Signature ts")
        if reading.timestamp == nil {
            reading.warnings.append(.timestampAbsent(header: "Paddle-Signature", field: "ts"))
        }
        return reading
    }

    func message(_ parts: SignedParts) -> [UInt8] { (parts.timestamp ?? "").bytes + ":".bytes + parts.body }

    func signedMessage(_ parts: SignedParts) -> [SignatureFinding.MessagePart] {
        [
            SignatureFinding.MessagePart(
                .headerValue, header: "Paddle-Signature", field: "ts", value: parts.timestamp ?? ""),
            .literal(":"), .rawBody(size: parts.body.count),
        ]
    }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        HeaderList([("Paddle-Signature", "ts=\(parts.timestamp ?? "");\(signature)")])
    }
}
