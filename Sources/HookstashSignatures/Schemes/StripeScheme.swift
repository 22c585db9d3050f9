import HookstashCore

/// Stripe: `Stripe-Signature: t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">[,v1=…]`, keyed with the whole
/// `whsec_…` string as UTF-8.
struct StripeScheme: SchemeDefinition {
    var scheme: SignatureScheme { .stripe }
    var provider: String { "Stripe" }
    var algorithm: DigestAlgorithm { .sha256 }
    var encoding: SignatureEncoding { .hex }
    var prefix: String { "v1=" }
    var headerNames: [String] { ["Stripe-Signature"] }
    var tolerance: SignatureFinding.Tolerance? {
        SignatureFinding.Tolerance(seconds: 300, enforcedBy: "Stripe's libraries", plural: true)
    }

    func read(_ headers: HeaderList) -> SignatureReading? {
        guard let value = headers.first("Stripe-Signature") else { return nil }
        let pairs = KeyValueList(value, separator: ",")
        var reading = SignatureReading(
            header: "Stripe-Signature", received: value, signatures: pairs.values("v1"),
            timestamp: pairs.values("t").first, timestampHeader: "Stripe-Signature t")
        if reading.timestamp == nil {
            reading.warnings.append(.timestampAbsent(header: "Stripe-Signature", field: "t"))
        }
        return reading
    }

    func message(_ parts: SignedParts) -> [UInt8] { (parts.timestamp ?? "").bytes + ".".bytes + parts.body }

    func signedMessage(_ parts: SignedParts) -> [SignatureFinding.MessagePart] {
        [
            SignatureFinding.MessagePart(
                .headerValue, header: "Stripe-Signature", field: "t", value: parts.timestamp ?? ""),
            .literal("."), .rawBody(size: parts.body.count),
        ]
    }

    /// Stripe keys the HMAC with the whole secret text, `whsec_` included.
    var secretPrefixRule: SecretPrefixRule? { .keyWithWholeText }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        HeaderList([("Stripe-Signature", "t=\(parts.timestamp ?? ""),\(signature)")])
    }
}
