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
    var tolerance: (seconds: Double, words: String)? { (300, "Stripe's libraries reject beyond 5 minutes") }

    func read(_ headers: HeaderList) -> SignatureReading? {
        guard let value = headers.first("Stripe-Signature") else { return nil }
        let pairs = KeyValueList(value, separator: ",")
        var reading = SignatureReading(
            header: "Stripe-Signature", received: value, signatures: pairs.values("v1"),
            timestamp: pairs.values("t").first, timestampHeader: "Stripe-Signature t")
        if reading.timestamp == nil { reading.warnings.append("Stripe-Signature has no t= timestamp") }
        return reading
    }

    func message(_ parts: SignedParts) -> [UInt8] { (parts.timestamp ?? "").bytes + ".".bytes + parts.body }

    func messageDescription(_ parts: SignedParts) -> String {
        "the t= timestamp '\(parts.timestamp ?? "")', '.' and the raw body (\(parts.body.count) bytes)"
    }

    func headers(signature: String, parts: SignedParts) -> HeaderList {
        HeaderList([("Stripe-Signature", "t=\(parts.timestamp ?? ""),\(signature)")])
    }
}
